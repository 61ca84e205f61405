import { act, screen, waitFor, within } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { afterEach, beforeEach, vi } from "vitest"
import { fakeClient } from "../../test/fakeClient"
import { renderConsole } from "../../test/render"

const fm = {
  name: "fm",
  kind: "image",
  labels: ["not_long_sleeved", "long_sleeved"],
  labelled: 80,
  pool: 120,
  size: 1_500_000,
  createdAt: "2026-12-02T04:43:08",
}
const texts = {
  ...fm,
  name: "reports",
  kind: "text",
  labels: ["flooded", "dry", "unsure"],
  labelled: 40,
  pool: 400,
  labelCounts: [
    { label: "flooded", count: 25 },
    { label: "dry", count: 12 },
    { label: "unsure", count: 3 },
  ],
}

/** A stand-in XMLHttpRequest: the test sends progress and the server's answer by hand. */
class FakeXhr {
  static last: FakeXhr | null = null
  method = ""
  url = ""
  headers: Record<string, string> = {}
  body: unknown = null
  status = 0
  response: unknown = null
  responseType = ""
  upload: { onprogress?: (e: ProgressEvent) => void; onload?: () => void } = {}
  onload?: () => void
  onerror?: () => void
  onabort?: () => void
  constructor() {
    FakeXhr.last = this
  }
  open(method: string, url: string) {
    Object.assign(this, { method, url })
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name.toLowerCase()] = value
  }
  send(body: unknown) {
    this.body = body
  }
  abort() {
    act(() => this.onabort?.())
  }
  progress(loaded: number, total: number) {
    act(() => this.upload.onprogress?.({ loaded, total, lengthComputable: true } as ProgressEvent))
  }
  answer(status: number, response: unknown) {
    Object.assign(this, { status, response })
    act(() => {
      this.upload.onload?.()
      this.onload?.()
    })
  }
}

beforeEach(() => {
  FakeXhr.last = null
  vi.stubGlobal("XMLHttpRequest", FakeXhr)
})
afterEach(() => vi.unstubAllGlobals())

const file = (name = "Flood photos.zip", bytes = 4_000) => new File([new Uint8Array(bytes)], name)

const previewsOf = (name: string) => ({
  dataset: {
    name,
    previews:
      name === "reports"
        ? [
            { label: "flooded", text: "Water in the hall", mediaUrl: null },
            { label: null, text: "Is the bridge open?", mediaUrl: null },
          ]
        : [
            { label: "dry", text: null, mediaUrl: `http://test/datasets/${name}/files/a.png?sig=1&w=192` },
            { label: "flooded", text: null, mediaUrl: `http://test/datasets/${name}/files/b.png?sig=2&w=192` },
            { label: null, text: null, mediaUrl: `http://test/datasets/${name}/files/c.png?sig=3&w=192` },
          ],
  },
})

function renderForm(
  datasets: () => unknown = () => ({ datasets: [fm, texts] }),
  previews: (name: string) => unknown = previewsOf,
) {
  const fake = fakeClient({
    DatasetList: () => datasets() as Record<string, unknown>,
    DatasetPreviews: (v) => previews(String(v.name)) as Record<string, unknown>,
  })
  renderConsole(fake.client, { path: "/tasks/new" })
  return fake
}

describe("the new task's data", () => {
  it("waits for the server's list, and says when it has none", async () => {
    renderForm(() => ({ datasets: [] }))
    expect(await screen.findByRole("option", { name: "None yet: upload one" })).toBeInTheDocument()
  })

  it("says in plain words when the list cannot be read", async () => {
    renderForm(() => new Error("offline"))
    expect(await screen.findByText(/The server cannot be reached/)).toBeInTheDocument()
  })

  it("picks a dataset the server has: its counts shown, dataset, category and labels filled in", async () => {
    renderForm()
    await screen.findByRole("option", { name: /^reports \(text, 3 labels, 40 labelled, 400 in the pool\)$/ })
    await userEvent.selectOptions(screen.getByLabelText("On this server"), "reports")
    const summary = screen.getByTestId("dataset-summary")
    expect(within(summary).getByTestId("dataset-labelled")).toHaveTextContent("40")
    expect(within(summary).getByTestId("dataset-pool")).toHaveTextContent("400")
    expect(within(summary).getByTestId("dataset-labels")).toHaveTextContent("flooded (25), dry (12), unsure (3)")
    expect(screen.getByLabelText("Dataset")).toHaveValue("reports")
    expect(screen.getByLabelText("Category")).toHaveValue("TEXT")
    expect(screen.getByLabelText("Labels")).toHaveValue("flooded\ndry\nunsure")
  })

  it("shows a picked text dataset's samples with their labels beside its counts", async () => {
    renderForm()
    await screen.findByRole("option", { name: /^reports / })
    await userEvent.selectOptions(screen.getByLabelText("On this server"), "reports")
    const samples = await screen.findByRole("region", { name: "Samples of reports" })
    const tiles = await within(samples).findAllByTestId("dataset-preview")
    expect(tiles.map((t) => t.textContent)).toEqual(["Water in the hallflooded", "Is the bridge open?unlabelled"])
    expect(within(samples).queryByRole("img")).not.toBeInTheDocument()
  })

  it("says while the samples load, when there are none, and when they cannot be read", async () => {
    let answer: unknown = new Error("offline")
    renderForm(undefined, () => answer)
    await screen.findByRole("option", { name: /^fm / })
    await userEvent.selectOptions(screen.getByLabelText("On this server"), "fm")
    const samples = screen.getByRole("region", { name: "Samples of fm" })
    expect(await within(samples).findByText(/The server cannot be reached/)).toBeInTheDocument()
    answer = { dataset: { name: "fm", previews: [] } }
    await userEvent.click(within(samples).getByRole("button", { name: "Try again" }))
    expect(await within(samples).findByTestId("dataset-previews-empty")).toHaveTextContent("No samples to show.")
  })

  it("says when the typed name is no dataset of the server's", async () => {
    renderForm()
    await screen.findByRole("option", { name: /^fm / })
    await userEvent.type(screen.getByLabelText("Dataset"), "/srv/data/x")
    expect(
      screen.getByText("/srv/data/x is not one of the server's datasets: the server looks for it as a path."),
    ).toBeInTheDocument()
    expect(screen.queryByTestId("dataset-summary")).not.toBeInTheDocument()
  })

  it("uploads a file with the admin's token and its type, shows the progress, then picks it", async () => {
    let listed = [fm]
    const fake = renderForm(() => ({ datasets: listed }))
    await screen.findByRole("option", { name: /^fm / })
    await userEvent.upload(screen.getByLabelText("Upload a new one"), file())
    expect(screen.getByLabelText("Its name")).toHaveValue("flood-photos")
    await userEvent.click(screen.getByRole("button", { name: "Upload" }))
    const xhr = FakeXhr.last!
    expect(xhr.method).toBe("POST")
    expect(xhr.url).toBe("/datasets?name=flood-photos")
    expect(xhr.headers.authorization).toBe("Bearer admin-token")
    expect(xhr.headers["content-type"]).toBe("application/zip")
    expect((xhr.body as File).name).toBe("Flood photos.zip")
    expect(screen.getByRole("button", { name: "Uploading…" })).toBeDisabled()
    xhr.progress(1_000, 4_000)
    expect(screen.getByTestId("upload-status")).toHaveTextContent(/Sending: 1 kB of 4 kB \(25[.,]0\s?%\)/)
    expect(screen.getByLabelText("Upload progress")).toHaveAttribute("value", "1000")
    xhr.progress(4_000, 4_000)
    expect(screen.getByTestId("upload-status")).toHaveTextContent("The server is unpacking and checking every file")
    const made = { ...fm, name: "flood-photos", labels: ["dry", "flooded"], labelled: 30, pool: 70 }
    listed = [fm, made]
    const reads = fake.count("DatasetList")
    xhr.answer(201, { ...made, bad: [{ file: "notes.txt", reason: "not an image" }] })
    expect(screen.getByTestId("upload-status")).toHaveTextContent(
      "Uploaded flood-photos: image, 2 labels, 30 labelled, 70 in the pool; 1 skipped (below). It is chosen above.",
    )
    expect(screen.getByTestId("upload-bad")).toHaveTextContent("notes.txt: not an image")
    await waitFor(() => expect(screen.getByLabelText("Dataset")).toHaveValue("flood-photos"))
    expect(screen.getByLabelText("Labels")).toHaveValue("dry\nflooded")
    expect((screen.getByLabelText("Upload a new one") as HTMLInputElement).files ?? []).toHaveLength(0)
    expect(screen.getByTestId("dataset-labelled")).toHaveTextContent("30")
    await waitFor(() => expect(screen.getByLabelText("On this server")).toHaveValue("flood-photos"))
    expect(fake.count("DatasetList")).toBe(reads + 1)
    // Before creating, a few of its photos with their labels, the pool's unlabelled
    const samples = screen.getByRole("region", { name: "Samples of flood-photos" })
    const photos = await within(samples).findAllByRole("img")
    expect(photos.map((p) => p.getAttribute("alt"))).toEqual([
      "Sample 1, dry",
      "Sample 2, flooded",
      "Sample 3, unlabelled",
    ])
    expect(photos[0]).toHaveAttribute("src", "http://test/datasets/flood-photos/files/a.png?sig=1&w=192")
  })

  it("sends a JSON-lines file of texts as such", async () => {
    renderForm()
    await userEvent.upload(screen.getByLabelText("Upload a new one"), file("tweets.jsonl"))
    await userEvent.click(screen.getByRole("button", { name: "Upload" }))
    expect(FakeXhr.last!.headers["content-type"]).toBe("application/x-ndjson")
  })

  it("refuses a name the server would refuse, or one taken, before sending", async () => {
    renderForm()
    await screen.findByRole("option", { name: /^fm / })
    await userEvent.upload(screen.getByLabelText("Upload a new one"), file())
    await userEvent.clear(screen.getByLabelText("Its name"))
    await userEvent.type(screen.getByLabelText("Its name"), "-bad name")
    await userEvent.click(screen.getByRole("button", { name: "Upload" }))
    expect(screen.getByTestId("error-uploadName")).toHaveTextContent(/starting with a letter or digit/)
    await userEvent.clear(screen.getByLabelText("Its name"))
    await userEvent.type(screen.getByLabelText("Its name"), "fm")
    await userEvent.click(screen.getByRole("button", { name: "Upload" }))
    expect(screen.getByTestId("error-uploadName")).toHaveTextContent("A dataset named fm exists already")
    expect(FakeXhr.last).toBeNull()
  })

  it("says why the server refused the file, naming each bad input", async () => {
    renderForm()
    await userEvent.upload(screen.getByLabelText("Upload a new one"), file())
    await userEvent.click(screen.getByRole("button", { name: "Upload" }))
    FakeXhr.last!.answer(400, {
      error: "nothing valid to import",
      code: "BAD_USER_INPUT",
      bad: [{ file: "a.txt", reason: "not an image" }],
    })
    expect(screen.getByTestId("upload-status")).toHaveTextContent("Nothing valid to import")
    expect(screen.getByTestId("upload-status")).toHaveAttribute("data-tone", "danger")
    expect(screen.getByTestId("upload-bad")).toHaveTextContent("a.txt: not an image")
    expect(screen.getByRole("button", { name: "Upload" })).toBeEnabled()
  })

  it("puts the server's refusal of the name beside the name", async () => {
    renderForm()
    await userEvent.upload(screen.getByLabelText("Upload a new one"), file())
    await userEvent.click(screen.getByRole("button", { name: "Upload" }))
    FakeXhr.last!.answer(409, {
      error: "a dataset named 'flood-photos' exists already; choose another name",
      code: "CONFLICT",
    })
    expect(screen.getByTestId("error-uploadName")).toHaveTextContent("A dataset named 'flood-photos' exists already")
  })

  it("says when the server cannot be reached, and may be cancelled", async () => {
    renderForm()
    await userEvent.upload(screen.getByLabelText("Upload a new one"), file())
    await userEvent.click(screen.getByRole("button", { name: "Upload" }))
    await userEvent.click(screen.getByRole("button", { name: "Cancel" }))
    expect(screen.getByRole("button", { name: "Upload" })).toBeEnabled()
    await userEvent.click(screen.getByRole("button", { name: "Upload" }))
    act(() => FakeXhr.last!.onerror?.())
    expect(screen.getByTestId("upload-status")).toHaveTextContent("The server cannot be reached.")
  })
})
