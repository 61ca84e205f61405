import { CombinedError } from "@urql/core"
import { serverError } from "../test/fakeClient"
import { describeProblem, formErrors, toProblem } from "./problem"

describe("problems in plain words", () => {
  it("says the server cannot be reached when no GraphQL answer came", () => {
    const error = new CombinedError({ networkError: new Error("Failed to fetch") })
    expect(describeProblem(toProblem(error))).toMatch(/cannot be reached/)
  })

  it("never shows an internal error's code alone", () => {
    const error = new CombinedError({ graphQLErrors: [serverError("INTERNAL", "internal error")] })
    expect(describeProblem(toProblem(error))).toMatch(/unexpected error/)
  })

  it("puts a named field's message beside it and the rest on the form", () => {
    const error = new CombinedError({
      graphQLErrors: [
        serverError("BAD_USER_INPUT", "min_agreement must be in (0.5, 1]; got 0.3", "min_agreement"),
        serverError("BAD_USER_INPUT", "no dataset 'x' on this server"),
      ],
    })
    expect(formErrors(error)).toEqual({
      fields: { minAgreement: "Must be in (0.5, 1]; got 0.3" },
      form: "no dataset 'x' on this server",
    })
  })

  it("says when to try again after a rate limit, from the mutation's retryAfter or the query budget's reset", () => {
    const limited = new CombinedError({
      graphQLErrors: [serverError("RATE_LIMITED", "too many requests", undefined, { retryAfter: 90 })],
    })
    expect(describeProblem(toProblem(limited))).toMatch(
      /^The server is asking this console to slow down\. Try again in 2 min \(at .+\)\.$/,
    )
    const budget = new CombinedError({
      graphQLErrors: [serverError("RATE_LIMITED", "cost", undefined, { cost: { resetInMs: 12_300 } })],
    })
    expect(toProblem(budget)).toMatchObject({ retryAfterMs: 12_300 })
    const plain = new CombinedError({ graphQLErrors: [serverError("RATE_LIMITED")] })
    expect(describeProblem(toProblem(plain))).toMatch(/Try again in a minute/)
  })
})
