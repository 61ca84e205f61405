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
})
