import { fireEvent, screen, waitFor, within } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { fakeClient, serverError } from "../../test/fakeClient"
import { createdInvite, invite } from "../../test/fixtures"
import { renderConsole } from "../../test/render"

const TASKS = {
  tasks: [
    { id: "7", title: "Long sleeves?" },
    { id: "8", title: "Collapsed buildings" },
  ],
}

function crowd(invites = [invite()]) {
  return fakeClient({ TaskTitles: () => TASKS, InviteList: () => ({ invites }) })
}

describe("invites", () => {
  it("lists each invite's code hint, note, tasks, uses of the allowed, expiry and state", async () => {
    const invites = [
      invite(),
      invite({ id: "2", hint: "QRST", taskIds: ["7"], uses: 1, maxUses: 1, usable: false, note: "" }),
      invite({ id: "1", hint: "MNOP", revokedAt: "2026-12-03T00:00:00+00:00", usable: false }),
    ]
    renderConsole(crowd(invites).client, { path: "/crowd/invites" })
    const usable = await screen.findByTestId("invite-3")
    expect(within(usable).getByText("…WXYZ")).toBeInTheDocument()
    expect(within(usable).getByText("Red Cross volunteers")).toBeInTheDocument()
    expect(within(usable).getByText("Every task")).toBeInTheDocument()
    expect(within(usable).getByTestId("invite-uses-3")).toHaveTextContent("2 / 5")
    expect(within(usable).getByText("Never")).toBeInTheDocument()
    expect(within(usable).getByTestId("invite-state-3")).toHaveTextContent("Usable")
    const usedUp = screen.getByTestId("invite-2")
    expect(within(usedUp).getByText("Long sleeves?")).toBeInTheDocument()
    expect(within(usedUp).getByTestId("invite-state-2")).toHaveTextContent("Used up")
    const revoked = screen.getByTestId("invite-1")
    expect(within(revoked).getByTestId("invite-state-1")).toHaveTextContent("Revoked")
    expect(within(revoked).queryByRole("button", { name: /Revoke/ })).not.toBeInTheDocument()
    expect(screen.getByText("3 invites")).toBeInTheDocument()
  })

  it("creates an invite for chosen tasks and shows its code and link once, with a QR code of the link", async () => {
    const user = userEvent.setup()
    const fake = crowd([])
    const made = createdInvite({ taskIds: ["8"], maxUses: 5 })
    fake.handlers.CreateInvite = () => ({ createInvite: made })
    renderConsole(fake.client, { path: "/crowd/invites" })
    await screen.findByText("No invites yet")
    await user.click(screen.getByLabelText("Only the tasks chosen below"))
    await user.click(await screen.findByLabelText("Collapsed buildings"))
    await user.clear(screen.getByLabelText("Registrations it allows"))
    await user.type(screen.getByLabelText("Registrations it allows"), "5")
    await user.type(screen.getByLabelText("Note"), "Shelter team")
    fake.handlers.InviteList = () => ({ invites: [made.invite] })
    await user.click(screen.getByRole("button", { name: "Create invite" }))

    expect(await screen.findByTestId("invite-code")).toHaveValue("ABCD-EFGH-JKLM-WXYZ")
    expect(fake.calls.find((c) => c.name === "CreateInvite")?.variables).toEqual({
      taskIds: ["8"],
      maxUses: 5,
      expiresAt: null,
      note: "Shelter team",
    })
    expect(screen.getByTestId("invite-code")).toHaveFocus()
    expect(screen.getByTestId("invite-link")).toHaveValue(made.link)
    const qr = await screen.findByRole("img", { name: "QR code of the invite link" })
    expect(qr).toHaveAttribute("data-value", made.link)
    expect(qr.querySelector("path")?.getAttribute("d")).toMatch(/^M\d/)
    await user.click(screen.getByRole("button", { name: "Copy code" }))
    expect(await navigator.clipboard.readText()).toBe("ABCD-EFGH-JKLM-WXYZ")
    expect(screen.getByText("Copied.")).toBeInTheDocument()
    expect(await screen.findByTestId("invite-4")).toHaveTextContent("…WXYZ")

    // Once dismissed the code is gone for good: the list only knows its last characters.
    await user.click(screen.getByRole("button", { name: "Done: I have shared it" }))
    expect(screen.queryByTestId("created-invite")).not.toBeInTheDocument()
    expect(screen.queryByDisplayValue("ABCD-EFGH-JKLM-WXYZ")).not.toBeInTheDocument()
    expect(document.body).not.toHaveTextContent("ABCD-EFGH")
    expect(screen.getByLabelText("Note")).toHaveValue("")
  })

  it("sends every task as null and the expiry, read in the reader's time zone, as UTC", async () => {
    const fake = crowd([])
    fake.handlers.CreateInvite = () => ({ createInvite: createdInvite() })
    renderConsole(fake.client, { path: "/crowd/invites" })
    fireEvent.change(await screen.findByLabelText("Expires"), { target: { value: "2030-01-02T03:04" } })
    await userEvent.click(screen.getByRole("button", { name: "Create invite" }))
    await screen.findByTestId("invite-code")
    expect(fake.calls.find((c) => c.name === "CreateInvite")?.variables).toMatchObject({
      taskIds: null,
      maxUses: 1,
      expiresAt: new Date(2030, 0, 2, 3, 4).toISOString(),
    })
  })

  it("puts the server's messages beside the fields it names and the rest above the button", async () => {
    const fake = crowd([])
    fake.handlers.CreateInvite = () => [
      serverError("BAD_USER_INPUT", "maxUses must be 1 to 1000", "maxUses"),
      serverError("NOT_FOUND", "no task 8"),
    ]
    renderConsole(fake.client, { path: "/crowd/invites" })
    await userEvent.clear(await screen.findByLabelText("Registrations it allows"))
    await userEvent.type(screen.getByLabelText("Registrations it allows"), "5000")
    await userEvent.click(screen.getByRole("button", { name: "Create invite" }))
    expect(await screen.findByTestId("error-maxUses")).toHaveTextContent("Must be 1 to 1000")
    expect(screen.getByTestId("invite-form-error")).toHaveTextContent("no task 8")
    await waitFor(() => expect(screen.getByLabelText("Registrations it allows")).toHaveFocus())
    expect(screen.queryByTestId("created-invite")).not.toBeInTheDocument()
  })

  it("says when to try again when the server limits the console", async () => {
    const fake = crowd([])
    fake.handlers.CreateInvite = () => [serverError("RATE_LIMITED", "too many requests", undefined, { retryAfter: 42 })]
    renderConsole(fake.client, { path: "/crowd/invites" })
    await userEvent.click(await screen.findByRole("button", { name: "Create invite" }))
    expect(await screen.findByTestId("invite-form-error")).toHaveTextContent(/slow down\. Try again in 42 s \(at .+\)/)
  })

  it("does not send a number of uses it cannot read", async () => {
    const fake = crowd([])
    renderConsole(fake.client, { path: "/crowd/invites" })
    await userEvent.clear(await screen.findByLabelText("Registrations it allows"))
    await userEvent.click(screen.getByRole("button", { name: "Create invite" }))
    expect(await screen.findByTestId("error-maxUses")).toHaveTextContent("Enter a number.")
    expect(fake.count("CreateInvite")).toBe(0)
  })

  it("revokes only after asking, and says what happens to those who joined", async () => {
    const fake = crowd()
    fake.handlers.RevokeInvite = () => ({ revokeInvite: invite({ revokedAt: "2026-12-03T00:00:00", usable: false }) })
    renderConsole(fake.client, { path: "/crowd/invites" })
    await userEvent.click(await screen.findByRole("button", { name: "Revoke invite …WXYZ" }))
    const dialog = screen.getByRole("alertdialog", { name: "Revoke invite …WXYZ?" })
    expect(dialog).toHaveTextContent("Nobody can register with it any more.")
    expect(dialog).toHaveTextContent("The 2 annotators who joined with it keep their access")
    await userEvent.click(within(dialog).getByRole("button", { name: "Cancel" }))
    expect(fake.count("RevokeInvite")).toBe(0)

    await userEvent.click(screen.getByRole("button", { name: "Revoke invite …WXYZ" }))
    fake.handlers.InviteList = () => ({ invites: [invite({ revokedAt: "2026-12-03T00:00:00", usable: false })] })
    await userEvent.click(screen.getByRole("button", { name: "Revoke invite" }))
    await waitFor(() => expect(screen.getByTestId("invite-state-3")).toHaveTextContent("Revoked"))
    expect(fake.calls.find((c) => c.name === "RevokeInvite")?.variables).toEqual({ id: "3" })
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument()
  })

  it("keeps the dialog open with the reason in plain words when the server refuses", async () => {
    const fake = crowd()
    fake.handlers.RevokeInvite = () => [serverError("FORBIDDEN", "admin only")]
    renderConsole(fake.client, { path: "/crowd/invites" })
    await userEvent.click(await screen.findByRole("button", { name: "Revoke invite …WXYZ" }))
    await userEvent.click(screen.getByRole("button", { name: "Revoke invite" }))
    const dialog = screen.getByRole("alertdialog")
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("This token may not do that")
  })

  it("is reached from the main navigation", async () => {
    const fake = crowd()
    fake.handlers.TaskList = () => ({ tasks: [] })
    fake.handlers.AnnotatorList = () => ({ annotators: [] })
    renderConsole(fake.client)
    await userEvent.click(screen.getByRole("link", { name: "Crowd" }))
    expect(await screen.findByText("No annotators yet")).toBeInTheDocument()
    expect(window.location.pathname).toBe("/crowd/annotators")
    await userEvent.click(screen.getByRole("link", { name: "Create an invite" }))
    expect(await screen.findByTestId("invite-3")).toBeInTheDocument()
    expect(screen.getByRole("link", { name: "Invites" })).toHaveAttribute("aria-current", "page")
  })
})
