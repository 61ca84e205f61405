import { CombinedError } from "@urql/core"
import { GraphQLError } from "graphql"
import { endpointsFor } from "./endpoints"
import { accessEndOf, describeProblem, inviteProblemOf, isRetryable, isTokenRefused, toProblem } from "./problem"

describe("problems", () => {
  it("treats a request without a GraphQL answer as a network problem, and retries it", () => {
    const problem = toProblem(new CombinedError({ networkError: new TypeError("Failed to fetch") }))
    expect(problem).toEqual({ kind: "network" })
    expect(isRetryable(problem)).toBe(true)
  })

  it("reads the server's error code and gives a plain message", () => {
    const error = new CombinedError({ graphQLErrors: [new GraphQLError("dup", { extensions: { code: "CONFLICT" } })] })
    const problem = toProblem(error)
    expect(problem).toEqual({ kind: "server", code: "CONFLICT", message: "dup" })
    expect(isRetryable(problem)).toBe(false)
    expect(describeProblem(problem)).toBe("The server did not accept this: dup")
  })

  it("tells a batch that closed while I was away from a batch I had already answered (bug 5)", () => {
    const closed = {
      kind: "server" as const,
      code: "CONFLICT" as const,
      message: "batch 7 is no longer open; fetch the current batch",
    }
    const twice = {
      kind: "server" as const,
      code: "CONFLICT" as const,
      message: "you have already answered this batch",
    }
    expect(describeProblem(closed)).toMatch(/finished this batch while you were offline/)
    expect(describeProblem(closed)).not.toMatch(/already/)
    expect(describeProblem(twice)).toMatch(/already answered this batch/)
    expect(describeProblem(twice)).not.toMatch(/different answers/)
  })

  it("does not retry a refusal whose code this app does not know yet", () => {
    const problem = toProblem(
      new CombinedError({
        graphQLErrors: [new GraphQLError("batch closed", { extensions: { code: "BATCH_CLOSED" } })],
      }),
    )
    expect(isRetryable(problem)).toBe(false)
  })

  it("shows the server's reason for bad input", () => {
    expect(describeProblem({ kind: "server", code: "BAD_USER_INPUT", message: "unknown label 'maybe'" })).toBe(
      "The server did not accept this: unknown label 'maybe'",
    )
  })
})

describe("enrolment and the end of access", () => {
  const fromServer = (message: string, extensions: Record<string, unknown>) =>
    toProblem(new CombinedError({ graphQLErrors: [new GraphQLError(message, { extensions })] }))

  it("keeps the argument the server found wrong, and reads an invite's problem from it", () => {
    const used = fromServer("this invite has been used 5 of 5 times", { code: "BAD_USER_INPUT", field: "invite" })
    expect(used).toEqual({
      kind: "server",
      code: "BAD_USER_INPUT",
      message: "this invite has been used 5 of 5 times",
      field: "invite",
    })
    expect(inviteProblemOf(used)).toBe("usedUp")
    // The same code on another field is not the invite's fault.
    expect(
      inviteProblemOf(fromServer("name must be 1 to 100 characters", { code: "BAD_USER_INPUT", field: "name" })),
    ).toBe(null)
    expect(inviteProblemOf({ kind: "network" })).toBe(null)
  })

  it("tells a suspension, an expired token and a revoked one apart by the server's message", () => {
    expect(accessEndOf("this annotator is suspended: spam")).toBe("suspended")
    expect(accessEndOf("this token expired; register again or ask for a new invite")).toBe("expired")
    expect(accessEndOf("invalid token")).toBe("revoked")
    expect(accessEndOf("this token was revoked; register again to get a new one")).toBe("revoked")
    expect(isTokenRefused(fromServer("invalid token", { code: "UNAUTHENTICATED" }))).toBe(true)
    expect(isTokenRefused(fromServer("no", { code: "FORBIDDEN" }))).toBe(false)
    expect(isTokenRefused({ kind: "ok" })).toBe(false)
  })
})

describe("endpointsFor", () => {
  it.each([
    ["crowd.example.org", "http://crowd.example.org/graphql", "ws://crowd.example.org/graphql"],
    ["https://crowd.example.org/", "https://crowd.example.org/graphql", "wss://crowd.example.org/graphql"],
    ["http://10.0.0.2:8000/graphql", "http://10.0.0.2:8000/graphql", "ws://10.0.0.2:8000/graphql"],
  ])("%s", (input, http, ws) => {
    expect(endpointsFor(input)).toEqual({ http, ws })
  })
})
