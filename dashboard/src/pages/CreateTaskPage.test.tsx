import { screen, waitFor } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { fakeClient, serverError } from "../test/fakeClient"
import { taskDetail } from "../test/fixtures"
import { renderConsole } from "../test/render"

async function fillRequired() {
  await userEvent.type(screen.getByLabelText("Title"), "Long sleeves?")
  await userEvent.type(screen.getByLabelText("Labels"), "not_long_sleeved\nlong_sleeved")
  await userEvent.type(screen.getByLabelText("Dataset"), "fm")
}

describe("creating a task", () => {
  it("starts from the server's defaults, read from the schema", () => {
    renderConsole(fakeClient({}).client, { path: "/tasks/new" })
    expect(screen.getByLabelText("Batch size")).toHaveValue(30)
    expect(screen.getByLabelText("Minimum agreement")).toHaveValue(0.8)
    expect(screen.getByLabelText("Query strategy")).toHaveValue("MARGIN")
    expect(screen.getByLabelText("Training mode")).toHaveValue("HEAD")
  })

  it("sends every field and opens the new task's page", async () => {
    const fake = fakeClient({
      CreateTask: () => ({ createTask: { id: "7", title: "Long sleeves?", status: "TRAINING" } }),
      TaskDetail: () => ({ task: taskDetail({ status: "TRAINING", rounds: [], currentBatch: null }) }),
    })
    renderConsole(fake.client, { path: "/tasks/new" })
    await fillRequired()
    await userEvent.clear(screen.getByLabelText("Batch size"))
    await userEvent.type(screen.getByLabelText("Batch size"), "5")
    await userEvent.click(screen.getByRole("button", { name: "Create task" }))
    expect(await screen.findByRole("heading", { name: "Long sleeves?", level: 1 })).toBeInTheDocument()
    expect(window.location.pathname).toBe("/tasks/7")
    const input = fake.calls.find((c) => c.name === "CreateTask")?.variables.input
    expect(input).toMatchObject({
      title: "Long sleeves?",
      labels: ["not_long_sleeved", "long_sleeved"],
      dataset: "fm",
      batchSize: 5,
      initialTrainSize: 30,
      minAgreement: 0.8,
      category: "IMAGE",
      coverImageUrl: null,
      labelBudget: null,
      targetAccuracy: null,
      plateauAgreement: null,
      plateauWindow: 3,
    })
  })

  it("sends the stopping rules given, and names the one the server refuses", async () => {
    const fake = fakeClient({
      CreateTask: () => [
        serverError(
          "BAD_USER_INPUT",
          "label_budget counts the seed set: it must be more than initial_train_size (30); got 20",
          "label_budget",
        ),
      ],
    })
    renderConsole(fake.client, { path: "/tasks/new" })
    await fillRequired()
    await userEvent.type(screen.getByLabelText("Label budget"), "20")
    await userEvent.type(screen.getByLabelText("Plateau agreement"), "0.99")
    await userEvent.click(screen.getByRole("button", { name: "Create task" }))
    expect(await screen.findByTestId("error-labelBudget")).toHaveTextContent(
      "Counts the seed set: it must be more than initial_train_size (30); got 20",
    )
    expect(fake.calls.find((c) => c.name === "CreateTask")?.variables.input).toMatchObject({
      labelBudget: 20,
      targetAccuracy: null,
      plateauAgreement: 0.99,
    })
  })

  it("shows the server's messages next to the fields it names, and the rest above the button", async () => {
    const fake = fakeClient({
      CreateTask: () => [
        serverError("BAD_USER_INPUT", "min_agreement must be in (0.5, 1]; got 0.3", "min_agreement"),
        serverError("BAD_USER_INPUT", "no dataset 'nope' on this server"),
      ],
    })
    renderConsole(fake.client, { path: "/tasks/new" })
    await fillRequired()
    await userEvent.click(screen.getByRole("button", { name: "Create task" }))
    expect(await screen.findByTestId("error-minAgreement")).toHaveTextContent("Must be in (0.5, 1]; got 0.3")
    expect(screen.getByLabelText("Minimum agreement")).toHaveAttribute("aria-invalid", "true")
    expect(screen.getByTestId("form-error")).toHaveTextContent("no dataset 'nope' on this server")
    await waitFor(() => expect(screen.getByLabelText("Minimum agreement")).toHaveFocus())
    expect(window.location.pathname).toBe("/tasks/new")
  })

  it("does not send a number field it cannot read", async () => {
    const fake = fakeClient({})
    renderConsole(fake.client, { path: "/tasks/new" })
    await fillRequired()
    await userEvent.clear(screen.getByLabelText("Seed"))
    await userEvent.click(screen.getByRole("button", { name: "Create task" }))
    expect(await screen.findByTestId("error-seed")).toHaveTextContent("Enter a number.")
    expect(fake.count("CreateTask")).toBe(0)
  })

  it("says so when the server cannot be reached", async () => {
    renderConsole(fakeClient({ CreateTask: () => new Error("Failed to fetch") }).client, { path: "/tasks/new" })
    await fillRequired()
    await userEvent.click(screen.getByRole("button", { name: "Create task" }))
    expect(await screen.findByTestId("form-error")).toHaveTextContent(/cannot be reached/)
  })
})
