import { apiFieldName, messageForField } from "./fields"
import { formatDuration, formatPercent, humanize, parseServerTime } from "./format"

describe("field names from the server", () => {
  it("maps the ML core's snake_case onto the API's names", () => {
    expect(apiFieldName("min_agreement")).toBe("minAgreement")
    expect(apiFieldName("initial_train_size")).toBe("initialTrainSize")
    expect(apiFieldName("batchSize")).toBe("batchSize")
  })

  it("drops the field's own name from a message shown beside it", () => {
    expect(messageForField("min_agreement", "min_agreement must be in (0.5, 1]; got 0.3")).toBe(
      "Must be in (0.5, 1]; got 0.3",
    )
    expect(messageForField("labels", "labels must be the dataset's labels")).toBe("Must be the dataset's labels")
    expect(messageForField("title", "something else entirely")).toBe("something else entirely")
  })
})

describe("formatting", () => {
  it("reads the server's zone-less timestamps as UTC", () => {
    expect(parseServerTime("2026-12-02T04:43:09.003057")?.toISOString()).toBe("2026-12-02T04:43:09.003Z")
    expect(parseServerTime("2026-12-02T04:43:09+02:00")?.toISOString()).toBe("2026-12-02T02:43:09.000Z")
    expect(parseServerTime(null)).toBeNull()
  })

  it("formats shares, durations and constants for people", () => {
    expect(formatPercent(0.8123)).toMatch(/81[.,]2\s?%/)
    expect(formatPercent(null)).toBe("—")
    expect(formatDuration("2026-12-02T04:43:09", "2026-12-02T04:43:14.8")).toMatch(/5[.,]8 s/)
    expect(humanize("BINARY_CLASSIFICATION")).toBe("Binary classification")
  })
})
