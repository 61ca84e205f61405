import { answerChoices, binaryQuestion } from "./answerChoices"

describe("answerChoices", () => {
  it("puts Yes first for a yes/no task whatever the label order", () => {
    expect(answerChoices(["no", "yes"], "BINARY_CLASSIFICATION").map((c) => [c.title, c.label])).toEqual([
      ["Yes", "yes"],
      ["No", "no"],
    ])
  })

  it("turns 'collapsed' / 'not_collapsed' into a Yes/No question", () => {
    const choices = answerChoices(["not_collapsed", "collapsed"], "BINARY_CLASSIFICATION")
    expect(choices.map((c) => [c.title, c.label])).toEqual([
      ["Yes", "collapsed"],
      ["No", "not_collapsed"],
    ])
    expect(binaryQuestion(choices)).toBe("Collapsed?")
  })

  it("shows the labels themselves when a binary pair has no negative", () => {
    expect(answerChoices(["cat", "dog"], "BINARY_CLASSIFICATION").map((c) => c.title)).toEqual(["Cat", "Dog"])
  })
})
