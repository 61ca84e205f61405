import { screen, within } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { afterEach, beforeEach, vi } from "vitest"
import { fakeClient } from "../../test/fakeClient"
import { round, taskDetail } from "../../test/fixtures"
import { renderSignedIn } from "../../test/render"
import { ModelsPanel } from "./ModelsPanel"

const task = taskDetail({ rounds: [round(0, { model: null }), round(1)] })
const file = new Uint8Array(2_000).fill(7)

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

const renderPanel = (t = task) => renderSignedIn(fakeClient({}).client, <ModelsPanel task={t} />)

describe("each round's model", () => {
  it("waits for round 0", () => {
    renderPanel(taskDetail({ rounds: [] }))
    expect(screen.getByTestId("models-empty")).toHaveTextContent("once it has trained")
  })

  it("lists the rounds newest first, with the size, and says when a model was not kept", () => {
    renderPanel()
    const rows = within(screen.getByTestId("models")).getAllByRole("row").slice(1)
    expect(rows.map((r) => within(r).getByRole("rowheader").textContent)).toEqual(["1", "0"])
    expect(rows[0]).toHaveTextContent(/16[.,]2 MB/)
    expect(
      within(rows[0]!)
        .getAllByRole("button")
        .map((b) => b.textContent),
    ).toEqual(["ONNX", "TorchScript", "Weights", "Metadata"])
    expect(rows[1]).toHaveTextContent("Not kept")
    expect(within(rows[1]!).queryByRole("button")).not.toBeInTheDocument()
    expect(screen.getByTestId("download-status")).toHaveTextContent("Fetched with the admin token")
  })

  it("fetches the file with the admin's token from this origin and saves it under the task's name", async () => {
    const saved = watchSaves()
    fetchMock.mockResolvedValue(
      new Response(file, {
        headers: {
          "content-length": String(file.byteLength),
          "content-disposition": 'attachment; filename="task-7-round-1-model.onnx"',
        },
      }),
    )
    renderPanel()
    await userEvent.click(screen.getByRole("button", { name: "ONNX, round 1" }))
    expect(await screen.findByTestId("download-status")).toHaveTextContent(
      "Saved round 1's ONNX file as long-sleeves-task-7-round-1-model.onnx.",
    )
    const [url, init] = fetchMock.mock.calls[0]!
    expect(url).toBe("/models/101/onnx")
    expect(new Headers(init?.headers).get("authorization")).toBe("Bearer admin-token")
    expect(saved).toHaveLength(1)
    expect(saved[0]!.name).toBe("long-sleeves-task-7-round-1-model.onnx")
    expect(saved[0]!.blob.size).toBe(2_000)
  })

  it("is busy while the file comes, one download at a time, with how far it got", async () => {
    watchSaves()
    let send: (chunk: Uint8Array) => void = () => {}
    let finish: () => void = () => {}
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        send = (chunk) => controller.enqueue(chunk)
        finish = () => controller.close()
      },
    })
    fetchMock.mockResolvedValue(new Response(body, { headers: { "content-length": "2000" } }))
    renderPanel()
    await userEvent.click(screen.getByRole("button", { name: "Weights, round 1" }))
    const status = screen.getByTestId("download-status")
    expect(await screen.findByText(/Asking for round 1's Weights file/)).toBeInTheDocument()
    for (const button of within(screen.getByTestId("models")).getAllByRole("button")) expect(button).toBeDisabled()
    expect(screen.getByRole("button", { name: "Weights, round 1" })).toHaveAttribute("aria-busy", "true")
    send(file.slice(0, 500))
    expect(await screen.findByText(/500 bytes of 2 kB \(25[.,]0\s?%\)/)).toBeInTheDocument()
    send(file.slice(500))
    finish()
    expect(await screen.findByText(/Saved round 1's Weights file as long-sleeves-round-1-weights/)).toBe(status)
    expect(screen.getByRole("button", { name: "Weights, round 1" })).toBeEnabled()
  })

  it("says in plain words why the server refused, and may be tried again", async () => {
    watchSaves()
    fetchMock.mockResolvedValueOnce(
      Response.json(
        { error: "this model has no onnx export: the tokeniser runs outside any tensor graph", code: "NOT_FOUND" },
        { status: 404 },
      ),
    )
    renderPanel()
    await userEvent.click(screen.getByRole("button", { name: "ONNX, round 1" }))
    expect(await screen.findByTestId("download-status")).toHaveTextContent(
      "Could not download round 1's ONNX file. This model has no onnx export: the tokeniser runs outside any tensor graph",
    )
    fetchMock.mockResolvedValueOnce(Response.json({ error: "admin only", code: "FORBIDDEN" }, { status: 403 }))
    await userEvent.click(screen.getByRole("button", { name: "ONNX, round 1" }))
    expect(await screen.findByText(/This token may not do that: the console needs the admin token/)).toBeInTheDocument()
  })

  it("says when the server cannot be reached", async () => {
    fetchMock.mockRejectedValue(new TypeError("Failed to fetch"))
    renderPanel()
    await userEvent.click(screen.getByRole("button", { name: "TorchScript, round 1" }))
    expect(await screen.findByTestId("download-status")).toHaveTextContent(
      "Could not download round 1's TorchScript file. The server cannot be reached.",
    )
  })
})
