import { reviewedWords, voteShares } from "./review"

describe("a disputed sample's votes", () => {
  it("come in the task's label order with their share, the most chosen marked", () => {
    expect(
      voteShares(
        ["cat", "dog", "bird"],
        [
          { label: "dog", count: 2 },
          { label: "cat", count: 1 },
        ],
      ),
    ).toEqual([
      { label: "cat", count: 1, share: 1 / 3, top: false },
      { label: "dog", count: 2, share: 2 / 3, top: true },
      { label: "bird", count: 0, share: 0, top: false },
    ])
  })

  it("mark every label of a tie, and none when nobody voted", () => {
    const tie = voteShares(
      ["a", "b"],
      [
        { label: "a", count: 1 },
        { label: "b", count: 1 },
      ],
    )
    expect(tie.map((v) => v.top)).toEqual([true, true])
    expect(voteShares(["a", "b"], null)).toEqual([
      { label: "a", count: 0, share: 0, top: false },
      { label: "b", count: 0, share: 0, top: false },
    ])
  })

  it("keep a vote for a label the task does not list, after the task's own", () => {
    expect(voteShares(["a"], [{ label: "old", count: 1 }]).map((v) => v.label)).toEqual(["a", "old"])
  })
})

describe("what a review did, in words", () => {
  it("says when a decided label counts, and that a discarded sample is out of training", () => {
    expect(reviewedWords("12", "DECIDE", "dog")).toBe(
      "Sample 12 is now labelled dog: it trains from the next round on.",
    )
    expect(reviewedWords("12", "DISCARD", null)).toBe("Sample 12 is discarded: it stays out of training.")
  })
})
