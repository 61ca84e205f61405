import { screen, within } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { fakeClient, serverError } from "../../test/fakeClient"
import { sample, taskDetail } from "../../test/fixtures"
import { renderSignedIn } from "../../test/render"
import { DisputedPanel } from "./DisputedPanel"

type Node = {
  id: string
  mediaUrl: string | null
  text: string | null
  state: string
  answerCount: number
  votes: { label: string; count: number }[]
}

const node = (id: string, votes: [number, number], overrides: Partial<Node> = {}): Node => ({
  id,
  mediaUrl: `http://test/media/${id}`,
  text: null,
  state: "DISPUTED",
  answerCount: votes[0] + votes[1],
  votes: [
    { label: "not_long_sleeved", count: votes[0] },
    { label: "long_sleeved", count: votes[1] },
  ],
  ...overrides,
})

const page = (nodes: Node[], total = nodes.length) => ({
  task: { id: "7", sampleConnection: { totalCount: total, edges: nodes.map((n) => ({ node: n })) } },
})

const task = taskDetail()

describe("the disputed samples", () => {
  it("shows placeholders while they load", () => {
    renderSignedIn(fakeClient({}).client, <DisputedPanel task={task} />)
    expect(screen.getByRole("status", { name: "Loading the disputed samples" })).toBeInTheDocument()
  })

  it("says when the crowd has agreed on everything", async () => {
    renderSignedIn(fakeClient({ DisputedSamples: () => page([]) }).client, <DisputedPanel task={task} />)
    expect(await screen.findByText("No disputed samples")).toBeInTheDocument()
    expect(screen.getByTestId("disputed-total")).toHaveTextContent("0 the crowd could not agree on")
  })

  it("says in plain words when they cannot be read, and reads again on request", async () => {
    let fail = true
    const fake = fakeClient({ DisputedSamples: () => (fail ? new Error("offline") : page([node("5", [1, 1])])) })
    renderSignedIn(fake.client, <DisputedPanel task={task} />)
    expect(await screen.findByText(/The server cannot be reached/)).toBeInTheDocument()
    fail = false
    await userEvent.click(screen.getByRole("button", { name: "Try again" }))
    expect(await screen.findByTestId("disputed-5")).toBeInTheDocument()
  })

  it("asks only for disputed samples and shows each one's image, or text, with its votes per label", async () => {
    const fake = fakeClient({
      DisputedSamples: () => page([node("5", [2, 1]), node("6", [1, 1], { mediaUrl: null, text: "a red jumper" })], 9),
    })
    renderSignedIn(fake.client, <DisputedPanel task={task} />)
    const first = await screen.findByTestId("disputed-5")
    expect(within(first).getByRole("img", { name: "Sample 5" })).toHaveAttribute("src", "http://test/media/5")
    const votes = within(first).getByRole("list", { name: "Votes on sample 5" })
    expect(
      within(votes)
        .getAllByRole("listitem")
        .map((r) => r.textContent),
    ).toEqual([expect.stringMatching(/^not_long_sleeved2 \(66[.,]7\s?%\)$/), expect.stringMatching(/^long_sleeved1/)])
    expect(screen.getByTestId("disputed-6")).toHaveTextContent("a red jumper")
    expect(screen.getByTestId("disputed-total")).toHaveTextContent("9 the crowd could not agree on")
    expect(screen.getByText("Showing 2 of 9")).toBeInTheDocument()
    expect(fake.calls.find((c) => c.name === "DisputedSamples")?.variables).toMatchObject({
      id: "7",
      first: 12,
      state: "DISPUTED",
    })
    await userEvent.click(screen.getByRole("button", { name: "Show more" }))
    expect(fake.calls.filter((c) => c.name === "DisputedSamples").at(-1)?.variables).toMatchObject({ first: 24 })
  })

  it("decides a label with one button per label, then reads the list again from the server", async () => {
    let disputed = [node("5", [1, 1]), node("6", [1, 1])]
    const fake = fakeClient({
      DisputedSamples: () => page(disputed),
      ReviewSample: ({ sampleId, label }) => {
        disputed = disputed.filter((n) => n.id !== sampleId)
        return { reviewSample: { id: sampleId, state: "ACCEPTED", resolvedLabel: label } }
      },
    })
    renderSignedIn(fake.client, <DisputedPanel task={task} />)
    const actions = within(await screen.findByTestId("disputed-5")).getByRole("group", { name: "Decide sample 5" })
    expect(
      within(actions)
        .getAllByRole("button")
        .map((b) => b.textContent),
    ).toEqual(["not_long_sleeved", "long_sleeved", "Discard", "Send back to the crowd"])
    await userEvent.click(screen.getByRole("button", { name: "Label sample 5 long_sleeved" }))
    expect(fake.calls.find((c) => c.name === "ReviewSample")?.variables).toEqual({
      sampleId: "5",
      action: "DECIDE",
      label: "long_sleeved",
    })
    expect(await screen.findByTestId("disputed-status")).toHaveTextContent(
      "Sample 5 is now labelled long_sleeved: it trains from the next round on.",
    )
    await screen.findByText("Sample 6 · 2 answers")
    expect(screen.queryByTestId("disputed-5")).not.toBeInTheDocument()
  })

  it("discards a sample with no label", async () => {
    const fake = fakeClient({
      DisputedSamples: () => page([node("5", [1, 1])]),
      ReviewSample: ({ sampleId }) => ({ reviewSample: { id: sampleId, state: "DISCARDED", resolvedLabel: null } }),
    })
    renderSignedIn(fake.client, <DisputedPanel task={task} />)
    await userEvent.click(await screen.findByRole("button", { name: "Discard sample 5" }))
    expect(fake.calls.find((c) => c.name === "ReviewSample")?.variables).toEqual({
      sampleId: "5",
      action: "DISCARD",
      label: null,
    })
    expect(await screen.findByText("Sample 5 is discarded: it stays out of training.")).toBeInTheDocument()
  })

  it("sends a sample back to the crowd with no label, and says who labels it now", async () => {
    let disputed = [node("5", [1, 1])]
    const fake = fakeClient({
      DisputedSamples: () => page(disputed),
      ReviewSample: ({ sampleId }) => {
        disputed = []
        return { reviewSample: { id: sampleId, state: "OPEN", resolvedLabel: null } }
      },
    })
    renderSignedIn(fake.client, <DisputedPanel task={task} />)
    await userEvent.click(await screen.findByRole("button", { name: "Send sample 5 back to the crowd" }))
    expect(fake.calls.find((c) => c.name === "ReviewSample")?.variables).toEqual({
      sampleId: "5",
      action: "REASK",
      label: null,
    })
    expect(await screen.findByTestId("disputed-status")).toHaveTextContent(
      "Sample 5 is back with the crowd: annotators who have not seen it yet will label it.",
    )
    await screen.findByText("No disputed samples")
  })

  it("tells the server's refusal beside the sample, in a sentence", async () => {
    const fake = fakeClient({
      DisputedSamples: () => page([node("5", [1, 1])]),
      ReviewSample: () => [serverError("CONFLICT", "the crowd has not decided sample 5 yet")],
    })
    renderSignedIn(fake.client, <DisputedPanel task={task} />)
    await userEvent.click(await screen.findByRole("button", { name: "Label sample 5 long_sleeved" }))
    expect(await within(screen.getByTestId("disputed-5")).findByRole("alert")).toHaveTextContent(
      "The crowd has not decided sample 5 yet",
    )
    expect(screen.getByTestId("disputed-status")).toBeEmptyDOMElement()
  })

  it("reads the list again when the batch gains a dispute, not on every render", async () => {
    const fake = fakeClient({ DisputedSamples: () => page([]) })
    const batch = (state: "OPEN" | "DISPUTED") => ({
      id: "2",
      number: 1,
      status: "OPEN" as const,
      samples: [sample(1, { state })],
    })
    const view = renderSignedIn(fake.client, <DisputedPanel task={taskDetail({ currentBatch: batch("OPEN") })} />)
    await screen.findByText("No disputed samples")
    const before = fake.count("DisputedSamples")
    view.rerender(<DisputedPanel task={taskDetail({ currentBatch: batch("OPEN") })} />)
    expect(fake.count("DisputedSamples")).toBe(before)
    view.rerender(<DisputedPanel task={taskDetail({ currentBatch: batch("DISPUTED") })} />)
    expect(fake.count("DisputedSamples")).toBe(before + 1)
  })

  it("lists the discarded samples on request, each one given a label after all but not discarded again", async () => {
    const fake = fakeClient({
      DisputedSamples: ({ state }) =>
        page(state === "DISCARDED" ? [node("8", [1, 1], { state: "DISCARDED" })] : [node("5", [1, 1])]),
      ReviewSample: ({ sampleId, label }) => ({
        reviewSample: { id: sampleId, state: "ACCEPTED", resolvedLabel: label },
      }),
    })
    renderSignedIn(fake.client, <DisputedPanel task={task} />)
    await screen.findByTestId("disputed-5")
    expect(screen.getByRole("radio", { name: "Disputed" })).toBeChecked()
    await userEvent.click(screen.getByRole("radio", { name: "Discarded" }))
    const item = await screen.findByTestId("disputed-8")
    expect(screen.queryByTestId("disputed-5")).not.toBeInTheDocument()
    expect(screen.getByTestId("disputed-total")).toHaveTextContent("1 kept out of training")
    expect(within(item).queryByRole("button", { name: /Discard/ })).not.toBeInTheDocument()
    await userEvent.click(within(item).getByRole("button", { name: "Label sample 8 long_sleeved" }))
    expect(
      await screen.findByText("Sample 8 is now labelled long_sleeved: it trains from the next round on."),
    ).toBeInTheDocument()
    expect(fake.calls.filter((c) => c.name === "DisputedSamples").map((c) => c.variables.state)).toContain("DISCARDED")
  })

  it("says when nothing was discarded", async () => {
    renderSignedIn(fakeClient({ DisputedSamples: () => page([]) }).client, <DisputedPanel task={task} />)
    await screen.findByText("No disputed samples")
    await userEvent.click(screen.getByRole("radio", { name: "Discarded" }))
    expect(await screen.findByText("No discarded samples")).toBeInTheDocument()
  })
})
