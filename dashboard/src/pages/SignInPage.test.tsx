import { screen, waitFor } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { fakeClient } from "../test/fakeClient"
import { renderConsole } from "../test/render"

const emptyList = () => fakeClient({ TaskList: () => ({ tasks: [] }) })

describe("signing in", () => {
  it("asks for the token before checking anything", async () => {
    const verify = vi.fn()
    renderConsole(emptyList().client, { token: null, verify })
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }))
    expect(screen.getByText("Paste the admin token first.")).toBeInTheDocument()
    expect(verify).not.toHaveBeenCalled()
  })

  it("shows why a token was refused, next to the field", async () => {
    const verify = vi.fn(async () => ({ ok: false as const, message: "This is an annotator's token." }))
    renderConsole(emptyList().client, { token: null, verify })
    await userEvent.type(screen.getByLabelText("Admin token"), "  annotator-token ")
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }))
    expect(await screen.findByText("This is an annotator's token.")).toBeInTheDocument()
    expect(verify).toHaveBeenCalledWith("annotator-token")
    expect(screen.getByLabelText("Admin token")).toHaveAttribute("aria-invalid", "true")
  })

  it("opens the task list with a good token and keeps it for next time", async () => {
    const { store } = renderConsole(emptyList().client, { token: null, verify: async () => ({ ok: true }) })
    await userEvent.type(screen.getByLabelText("Admin token"), "the-admin-token{Enter}")
    expect(await screen.findByRole("heading", { name: "Tasks", level: 1 })).toBeInTheDocument()
    expect(store.token).toBe("the-admin-token")
  })

  it("checks the start banner's link token by itself", async () => {
    const verify = vi.fn(async () => ({ ok: true as const }))
    const { store } = renderConsole(emptyList().client, { token: null, offered: "from-link", verify })
    expect(await screen.findByRole("heading", { name: "Tasks", level: 1 })).toBeInTheDocument()
    expect(verify).toHaveBeenCalledWith("from-link")
    expect(store.token).toBe("from-link")
  })

  it("signs out, forgetting the token", async () => {
    const { store } = renderConsole(emptyList().client)
    await userEvent.click(await screen.findByRole("button", { name: "Sign out" }))
    expect(screen.getByRole("button", { name: "Sign in" })).toBeInTheDocument()
    await waitFor(() => expect(store.token).toBeNull())
  })
})
