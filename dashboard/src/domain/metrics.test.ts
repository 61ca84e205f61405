import { batchProgress, byRound, latestRound, majorityBaseline } from "./metrics"

describe("majorityBaseline", () => {
  it("is the largest true-label row's share of the test set", () => {
    // 14 of the 20 test samples are class 0: always answering class 0 scores 70%.
    expect(
      majorityBaseline([
        [12, 2],
        [3, 3],
      ]),
    ).toBeCloseTo(0.7)
    expect(
      majorityBaseline([
        [1, 0, 0],
        [0, 5, 1],
        [2, 0, 1],
      ]),
    ).toBeCloseTo(0.6)
  })

  it("is null for an empty matrix", () => {
    expect(majorityBaseline([])).toBeNull()
    expect(
      majorityBaseline([
        [0, 0],
        [0, 0],
      ]),
    ).toBeNull()
  })
})

describe("batchProgress", () => {
  it("counts decided samples either way and every answer", () => {
    const progress = batchProgress([
      { state: "ACCEPTED", answerCount: 2 },
      { state: "DISPUTED", answerCount: 3 },
      { state: "OPEN", answerCount: 1 },
      { state: "OPEN", answerCount: 0 },
    ])
    expect(progress).toEqual({ total: 4, accepted: 1, disputed: 1, open: 2, answers: 6, decided: 2 })
  })

  it("keeps a disputed sample the owner discarded among the disputed, not the open", () => {
    const progress = batchProgress([
      { state: "DISCARDED", answerCount: 3 },
      { state: "OPEN", answerCount: 0 },
    ])
    expect(progress).toMatchObject({ disputed: 1, open: 1, decided: 1 })
  })
})

describe("rounds", () => {
  it("orders rounds and finds the newest", () => {
    const rounds = [{ number: 2 }, { number: 0 }, { number: 1 }]
    expect(byRound(rounds).map((r) => r.number)).toEqual([0, 1, 2])
    expect(latestRound(rounds)?.number).toBe(2)
    expect(latestRound([])).toBeNull()
  })
})
