import type { TaskDetail } from "../services/api/hooks"

/** A task as the Task query returns it; override what a test cares about. */
export function aTask(overrides: Partial<TaskDetail> = {}): TaskDetail {
  return {
    __typename: "Task",
    id: "t1",
    title: "Collapsed buildings",
    description: "Is the building in the photo collapsed?",
    category: "IMAGE",
    subcategory: "BINARY_CLASSIFICATION",
    labels: ["yes", "no"],
    status: "COLLECTING",
    coverImageUrl: "http://test/media/cover.jpg",
    lockedForMe: false,
    labelledCount: 60,
    poolRemaining: 4210,
    lastError: null,
    scenario: { __typename: "Scenario", batchSize: 3 },
    rounds: [
      { __typename: "Round", number: 0, accuracy: 0.81, trainSize: 30 },
      { __typename: "Round", number: 1, accuracy: 0.874, trainSize: 60 },
    ],
    currentBatch: aBatch(),
    ...overrides,
  } as TaskDetail
}

/**
 * A batch of three image samples (mediaUrl carries a signed query string, as the server may send),
 * `assigned` of them handed out to me (all by default).
 */
export function aBatch(id = "b2", number = 2, assigned = ["s1", "s2", "s3"]) {
  return {
    __typename: "Batch" as const,
    id,
    number,
    samples: ["s1", "s2", "s3"].map((sid) => ({
      __typename: "Sample" as const,
      id: `${id}-${sid}`,
      mediaUrl: `http://test/media/${id}-${sid}.jpg?sig=abc&exp=1`,
      text: null,
    })),
    assigned: assigned.map((sid) => ({ __typename: "Sample" as const, id: `${id}-${sid}` })),
    myAnswers: [] as { __typename: "MyAnswer"; sampleId: string; label: string }[],
  }
}
