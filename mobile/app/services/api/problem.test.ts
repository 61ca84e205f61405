import { CombinedError } from "@urql/core"
import { GraphQLError } from "graphql"
import { endpointsFor } from "./endpoints"
import { describeProblem, isRetryable, toProblem } from "./problem"

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
    expect(describeProblem(problem)).toMatch(/already sent different answers/)
  })

  it("shows the server's reason for bad input", () => {
    expect(describeProblem({ kind: "server", code: "BAD_USER_INPUT", message: "unknown label 'maybe'" })).toBe(
      "The server did not accept this: unknown label 'maybe'",
    )
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
