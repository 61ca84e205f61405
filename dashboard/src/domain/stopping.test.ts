import { finishedWords, rulesWords } from "./stopping"

const rules = { labelBudget: 200, targetAccuracy: 0.9, plateauAgreement: 0.99, plateauWindow: 3 }
const off = { labelBudget: null, targetAccuracy: null, plateauAgreement: null, plateauWindow: 3 }

describe("why a task finished", () => {
  it("names the rule that held, with its threshold", () => {
    expect(finishedWords("LABEL_BUDGET", rules)).toBe("Finished: the label budget of 200 is spent.")
    expect(finishedWords("TARGET_ACCURACY", rules)).toMatch(
      /^Finished: a round's evaluation accuracy reached the target of 90[.,]0\s?%\.$/,
    )
    expect(finishedWords("PLATEAU", rules)).toMatch(/mean kappa ≥ 0[.,]99 over 3 rounds\)\.$/)
    expect(finishedWords("POOL_EXHAUSTED", off)).toBe("Finished: every sample of the pool has been asked of the crowd.")
  })

  it("says nothing for a task finished before there were rules", () => {
    expect(finishedWords(null, off)).toBeNull()
  })
})

describe("the rules that are on", () => {
  it("lists each, and always the pool running out", () => {
    expect(rulesWords(off)).toEqual(["when the pool runs out"])
    expect(rulesWords(rules)).toHaveLength(4)
    expect(rulesWords(rules)[0]).toBe("after 200 labels")
  })
})
