import { screen, within } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { afterEach, beforeEach, vi } from "vitest"
import { fakeClient } from "../../test/fakeClient"
import { taskDetail } from "../../test/fixtures"
import { renderSignedIn } from "../../test/render"
import { ExportPanel } from "./ExportPanel"

const task = taskDetail()
const lines = new TextEncoder().encode('{"sample_id": 1}\n{"sample_id": 2}\n')

/** What a user's browser would save: the name and the bytes of each file handed to it. */
function watchSaves() {
  const saved: { name: string; blob: Blob }[] = []
  const blobs = new Map<string, Blob>()
  vi.spyOn(URL, "createObjectURL").mockImplementation((blob) => {
    const url = `blob:test/${blobs.size}`
    blobs.set(url, blob as Blob)
    return url
  })
  vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => {})
  vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
    saved.push({ name: this.download, blob: blobs.get(this.href)! })
  })
  return saved
}

const fetchMock = vi.fn<typeof fetch>()
beforeEach(() => vi.stubGlobal("fetch", fetchMock))
afterEach(() => {
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
  fetchMock.mockReset()
})

const renderPanel = (t = task) => renderSignedIn(fakeClient({}).client, <ExportPanel task={t} />)
const buttons = () =>
  within(screen.getByRole("list", { name: "Export the task's labels" }))
    .getAllByRole("button")
    .map((b) => b.textContent)

describe("the task's export", () => {
  it("offers JSONL, CSV and the image folder, each saying what it holds", () => {
    renderPanel()
    expect(buttons()).toEqual(["JSONL", "CSV", "Images (zip)"])
    expect(screen.getByRole("button", { name: "CSV" })).toHaveAccessibleDescription(/one row per sample/)
    expect(screen.getByTestId("export-status")).toHaveTextContent("20 labelled so far")
  })

  it("offers no image folder for a text task", () => {
    renderPanel(taskDetail({ category: "TEXT" }))
    expect(buttons()).toEqual(["JSONL", "CSV"])
  })

  it("fetches with the admin's token, counts the bytes as they come, and saves under the task's name", async () => {
    const saved = watchSaves()
    let send: (chunk: Uint8Array) => void = () => {}
    let finish: () => void = () => {}
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        send = (chunk) => controller.enqueue(chunk)
        finish = () => controller.close()
      },
    })
    fetchMock.mockResolvedValue(
      new Response(body, { headers: { "content-disposition": 'attachment; filename="task-7-labels.jsonl"' } }),
    )
    renderPanel()
    await userEvent.click(screen.getByRole("button", { name: "JSONL" }))
    expect(await screen.findByText("Asking for the JSONL export…")).toBeInTheDocument()
    for (const name of ["JSONL", "CSV", "Images (zip)"]) expect(screen.getByRole("button", { name })).toBeDisabled()
    expect(screen.getByRole("button", { name: "JSONL" })).toHaveAttribute("aria-busy", "true")
    expect(screen.getByLabelText("Export progress")).toBeVisible()
    send(lines.slice(0, 10))
    expect(await screen.findByText("Downloading the JSONL export: 10 bytes so far")).toBeInTheDocument()
    send(lines.slice(10))
    finish()
    expect(await screen.findByText("Saved the JSONL export as long-sleeves-task-7-labels.jsonl.")).toBeInTheDocument()
    const [url, init] = fetchMock.mock.calls[0]!
    expect(url).toBe("/export/7.jsonl")
    expect(new Headers(init?.headers).get("authorization")).toBe("Bearer admin-token")
    expect(saved.map((s) => s.name)).toEqual(["long-sleeves-task-7-labels.jsonl"])
    expect(saved[0]!.blob.size).toBe(lines.byteLength)
    expect(screen.getByRole("button", { name: "CSV" })).toBeEnabled()
    expect(screen.getByLabelText("Export progress")).not.toBeVisible()
  })

  it("says in plain words why the server refused", async () => {
    watchSaves()
    fetchMock.mockResolvedValueOnce(Response.json({ error: "no task 7", code: "NOT_FOUND" }, { status: 404 }))
    renderPanel()
    await userEvent.click(screen.getByRole("button", { name: "CSV" }))
    expect(await screen.findByTestId("export-status")).toHaveTextContent(/^Could not download the CSV export\. /)
    expect(screen.getByTestId("export-status")).toHaveAttribute("data-tone", "danger")
  })

  it("says when the server cannot be reached, and may be tried again", async () => {
    const saved = watchSaves()
    fetchMock.mockRejectedValueOnce(new TypeError("Failed to fetch"))
    renderPanel()
    await userEvent.click(screen.getByRole("button", { name: "Images (zip)" }))
    expect(await screen.findByTestId("export-status")).toHaveTextContent(
      "Could not download the Images (zip) export. The server cannot be reached.",
    )
    fetchMock.mockResolvedValueOnce(new Response(new Uint8Array(5)))
    await userEvent.click(screen.getByRole("button", { name: "Images (zip)" }))
    expect(
      await screen.findByText("Saved the Images (zip) export as long-sleeves-task-7-labels.zip."),
    ).toBeInTheDocument()
    expect(saved).toHaveLength(1)
  })
})
