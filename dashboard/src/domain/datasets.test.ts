import { categoryOf, nameFromFile, nameProblem, uploadType } from "./datasets"

describe("a dataset upload", () => {
  it("is sent as a zip unless the file is a manifest of texts", () => {
    expect(uploadType("photos.zip")).toBe("application/zip")
    expect(uploadType("tweets.JSONL")).toBe("application/x-ndjson")
    expect(uploadType("tweets.ndjson")).toBe("application/x-ndjson")
    expect(uploadType("reports.csv")).toBe("text/csv")
    expect(uploadType("archive")).toBe("application/zip")
  })

  it("is named after its file, as the server allows", () => {
    expect(nameFromFile("Flood photos (2).zip")).toBe("flood-photos-2")
    expect(nameFromFile("Crème_brûlée.v1.jsonl")).toBe("creme_brulee.v1")
    expect(nameFromFile("__.zip")).toBe("dataset")
    expect(nameProblem(nameFromFile("Flood photos (2).zip"))).toBeNull()
  })

  it("says what is wrong with a name before the server does", () => {
    expect(nameProblem("")).toBe("Name the dataset.")
    expect(nameProblem("-x")).toMatch(/starting with a letter or digit/)
    expect(nameProblem("a b")).toMatch(/letters, digits/)
    expect(nameProblem("x".repeat(101))).not.toBeNull()
    expect(nameProblem("fm")).toBeNull()
  })

  it("sets the task's category by the dataset's kind", () => {
    expect(categoryOf("image")).toBe("IMAGE")
    expect(categoryOf("text")).toBe("TEXT")
  })
})
