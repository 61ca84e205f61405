import { fireEvent, screen } from "@testing-library/react-native"
import { AnswerQueue } from "../services/queue/answerQueue"
import { memoryStore } from "../services/storage/keyValue"
import { aTask } from "../test/fixtures"
import { fakeClient } from "../test/fakeClient"
import { renderApp } from "../test/render"

const row = (id: string, title: string, status: string, lockedForMe: boolean, batch: number | null) => ({
  __typename: "Task",
  id,
  title,
  status,
  lockedForMe,
  coverImageUrl: null,
  labelledCount: 30,
  currentBatch:
    batch === null
      ? null
      : {
          __typename: "Batch",
          id: `b${batch}`,
          number: batch,
          samples: [1, 2, 3].map((n) => ({ __typename: "Sample", id: `b${batch}-s${n}` })),
          myAnswers: [],
        },
})

describe("Task list", () => {
  it("shows each task's title, status, and whether a batch waits for me", async () => {
    const tasks = [
      row("t1", "Collapsed buildings", "COLLECTING", false, 2),
      row("t2", "Flooded roads", "COLLECTING", true, 5),
      row("t3", "Damaged bridges", "TRAINING", true, null),
      row("t4", "Blocked streets", "FAILED", true, null),
    ]
    const { client } = fakeClient({ Tasks: () => ({ tasks }), Task: () => ({ task: aTask() }) })
    renderApp(client, [{ name: "tasks", category: "IMAGE", subcategory: "BINARY_CLASSIFICATION" }])

    expect(await screen.findByText("Collapsed buildings")).toBeTruthy()
    expect(screen.getByTestId("task-t1-waiting")).toHaveTextContent("Batch 3 waiting for you")
    expect(screen.getByTestId("task-t1-left")).toHaveTextContent("3 left")
    expect(screen.queryByTestId("task-t2-waiting")).toBeNull()
    expect(screen.getAllByText("Collecting answers")).toHaveLength(2)
    expect(screen.getByText("Training")).toBeTruthy()
    expect(screen.getByText("Failed")).toBeTruthy()

    fireEvent.press(screen.getByTestId("task-t1"))
    expect(await screen.findByTestId("screen-task")).toBeTruthy()
  })

  it("does not offer a batch whose answers are still waiting on this phone", async () => {
    const queue = new AnswerQueue(memoryStore(), {
      transport: async () => ({ kind: "network" }),
      schedule: () => () => {},
    })
    await queue.answer("t1", "b2", { sampleId: "b2-s1", label: "yes" })
    await queue.submit("t1", "b2")
    const tasks = [row("t1", "Collapsed buildings", "COLLECTING", false, 2)]
    const { client } = fakeClient({ Tasks: () => ({ tasks }), SubmitAnswers: () => new Error("Failed to fetch") })
    renderApp(client, [{ name: "tasks", category: "IMAGE", subcategory: "BINARY_CLASSIFICATION" }], queue)

    expect(await screen.findByText(/1 answer saved on this phone/)).toBeTruthy()
    expect(screen.getByText("Collapsed buildings")).toBeTruthy()
    expect(screen.queryByTestId("task-t1-waiting")).toBeNull()
  })
})
