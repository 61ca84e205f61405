import { act, fireEvent, screen } from "@testing-library/react-native"
import { fakeClient } from "../test/fakeClient"
import { renderApp } from "../test/render"

const categories = {
  categories: [
    {
      __typename: "Category",
      category: "IMAGE",
      subcategories: [
        { __typename: "Subcategory", subcategory: "BINARY_CLASSIFICATION", taskCount: 2 },
        { __typename: "Subcategory", subcategory: "MULTICLASS_CLASSIFICATION", taskCount: 1 },
      ],
    },
    {
      __typename: "Category",
      category: "TEXT",
      subcategories: [{ __typename: "Subcategory", subcategory: "BINARY_CLASSIFICATION", taskCount: 0 }],
    },
  ],
}

describe("Categories and subcategories", () => {
  it("lists categories with their open task counts and opens one", async () => {
    const { client } = fakeClient({ Categories: () => categories })
    renderApp(client, [{ name: "categories" }])

    expect(await screen.findByText("Images")).toBeTruthy()
    expect(screen.getByTestId("category-IMAGE-count")).toHaveTextContent("3")
    expect(screen.getByTestId("category-TEXT-count")).toHaveTextContent("0")
    expect(screen.getByText("Signed in as Amina")).toBeTruthy()

    fireEvent.press(screen.getByTestId("category-IMAGE"))
    expect(await screen.findByTestId("screen-subcategories")).toBeTruthy()
    expect(await screen.findByText("Yes or no")).toBeTruthy()
    expect(screen.getByTestId("subcategory-BINARY_CLASSIFICATION-count")).toHaveTextContent("2")
    expect(screen.getByTestId("subcategory-MULTICLASS_CLASSIFICATION-count")).toHaveTextContent("1")
  })

  it("asks the server again when a task changes", async () => {
    const { client, calls, push } = fakeClient({ Categories: () => categories })
    renderApp(client, [{ name: "categories" }])
    await screen.findByText("Images")
    const before = calls.filter((c) => c.name === "Categories").length

    await act(async () => push("TasksChanged", { tasksChanged: { __typename: "Task", id: "t1", status: "TRAINING" } }))
    expect(calls.filter((c) => c.name === "Categories").length).toBeGreaterThan(before)
  })

  it("says plainly when the server cannot be reached, and retries on request", async () => {
    let reply: Error | typeof categories = new Error("Failed to fetch")
    const { client } = fakeClient({ Categories: () => reply })
    renderApp(client, [{ name: "categories" }])
    expect(await screen.findByText("No connection to the server.")).toBeTruthy()

    reply = categories
    fireEvent.press(screen.getByText("Try again"))
    expect(await screen.findByText("Images")).toBeTruthy()
  })

  it("goes from a subcategory to its task list, and back", async () => {
    const { client, calls } = fakeClient({ Categories: () => categories, Tasks: () => ({ tasks: [] }) })
    renderApp(client, [{ name: "categories" }, { name: "subcategories", category: "IMAGE" }])
    fireEvent.press(await screen.findByTestId("subcategory-BINARY_CLASSIFICATION"))
    expect(await screen.findByText("No task of this kind is open right now.")).toBeTruthy()
    expect(calls.find((c) => c.name === "Tasks")?.variables).toEqual({
      category: "IMAGE",
      subcategory: "BINARY_CLASSIFICATION",
    })

    fireEvent.press(screen.getByTestId("back"))
    expect(await screen.findByTestId("screen-subcategories")).toBeTruthy()
  })
})

describe("Home: my tasks", () => {
  const task = (id: string, title: string, lockedForMe: boolean, answeredCount = 0) => ({
    __typename: "Task",
    id,
    title,
    status: "COLLECTING",
    lockedForMe,
    coverImageUrl: null,
    labelledCount: 0,
    currentBatch: {
      __typename: "Batch",
      id: `${id}-b1`,
      number: 1,
      samples: ["s1", "s2", "s3", "s4", "s5"].map((s) => ({ __typename: "Sample", id: `${id}-${s}` })),
      myAnswers: Array.from({ length: answeredCount }, (_, i) => ({ __typename: "MyAnswer", sampleId: `${id}-s${i}` })),
    },
  })

  it("lists my tasks flat, what waits for me first, each with how many are left", async () => {
    const tasks = [task("t1", "Answered already", true), task("t2", "Flooded roads", false, 2)]
    const { client } = fakeClient({ Categories: () => categories, Tasks: () => ({ tasks }) })
    renderApp(client, [{ name: "categories" }])

    expect(await screen.findByText("My tasks")).toBeTruthy()
    const titles = screen.getAllByTestId(/^task-t\d$/).map((c) => c.props.testID)
    expect(titles).toEqual(["task-t2", "task-t1"])
    expect(screen.getByTestId("task-t2-left")).toHaveTextContent("3 left")
    expect(screen.queryByTestId("task-t1-left")).toBeNull()
    expect(screen.queryByTestId("category-IMAGE")).toBeNull()
  })

  it("groups into categories when there are many tasks", async () => {
    const tasks = Array.from({ length: 9 }, (_, i) => task(`t${i}`, `Task ${i}`, false))
    const { client } = fakeClient({ Categories: () => categories, Tasks: () => ({ tasks }) })
    renderApp(client, [{ name: "categories" }])
    expect(await screen.findByTestId("category-IMAGE")).toBeTruthy()
    expect(screen.queryByText("My tasks")).toBeNull()
  })
})
