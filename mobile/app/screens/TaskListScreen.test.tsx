import { fireEvent, screen } from "@testing-library/react-native"
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
  currentBatch: batch === null ? null : { __typename: "Batch", id: `b${batch}`, number: batch },
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
    expect(screen.queryByTestId("task-t2-waiting")).toBeNull()
    expect(screen.getAllByText("Collecting answers")).toHaveLength(2)
    expect(screen.getByText("Training")).toBeTruthy()
    expect(screen.getByText("Failed")).toBeTruthy()

    fireEvent.press(screen.getByTestId("task-t1"))
    expect(await screen.findByTestId("screen-task")).toBeTruthy()
  })
})
