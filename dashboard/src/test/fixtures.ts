import type { Agreement } from "../api/agreement"
import type { AnnotatorRow, CreatedInvite, InviteRow } from "../api/crowd"
import type { TaskDetail } from "../api/hooks"
import type { Prediction } from "../api/predictions"
import type { TaskListQuery } from "../gql/graphql"

type Sample = NonNullable<TaskDetail["currentBatch"]>["samples"][number]
type Round = TaskDetail["rounds"][number]
type RoundModel = NonNullable<Round["model"]>

export function roundModel(id: string, overrides: Partial<RoundModel> = {}): RoundModel {
  const url = (format: string) => `http://test/models/${id}/${format}`
  return {
    id,
    size: 16_234_567,
    createdAt: "2026-12-02T04:43:14.767784",
    onnx: url("onnx"),
    torchscript: url("torchscript"),
    weights: url("weights"),
    metadata: url("metadata"),
    ...overrides,
  }
}

export function sample(id: number, overrides: Partial<Sample> = {}): Sample {
  return {
    id: String(id),
    answerCount: 0,
    state: "OPEN",
    resolvedLabel: null,
    mediaUrl: `http://test/media/${id}`,
    text: null,
    ...overrides,
  }
}

export function round(number: number, overrides: Partial<Round> = {}): Round {
  return {
    number,
    trainSize: 20 + number * 5,
    accuracy: 0.8 + number * 0.02,
    precision: 0.7,
    recall: 0.75,
    f1: 0.72 + number * 0.02,
    confusionMatrix: [
      [12, 2],
      [3, 3],
    ],
    startedAt: "2026-12-02T04:43:09.003057",
    finishedAt: "2026-12-02T04:43:14.767784",
    model: roundModel(String(100 + number)),
    ...overrides,
  }
}

export function taskDetail(overrides: Partial<TaskDetail> = {}): TaskDetail {
  return {
    id: "7",
    title: "Long sleeves?",
    description: "Does the garment have long sleeves?",
    category: "IMAGE",
    subcategory: "BINARY_CLASSIFICATION",
    labels: ["not_long_sleeved", "long_sleeved"],
    status: "COLLECTING",
    coverImageUrl: null,
    lastError: null,
    createdAt: "2026-12-02T04:43:08",
    finishedReason: null,
    labelledCount: 20,
    poolRemaining: 135,
    scenario: {
      pretrainedModel: "efficientnet-lite0",
      initialTrainSize: 20,
      batchSize: 5,
      evalSize: 20,
      testSize: 20,
      queryStrategy: "MARGIN",
      minPeers: 2,
      minAgreement: 1,
      maxPeers: 3,
      trainingMode: "HEAD",
      seed: 0,
      aggregation: "PEER_RULE",
      redundancy: "FIXED",
      goldShare: 0,
      goldSize: 0,
      labelBudget: null,
      targetAccuracy: null,
      plateauAgreement: null,
      plateauWindow: 3,
    },
    rounds: [round(0)],
    currentBatch: { id: "1", number: 0, status: "OPEN", samples: [1, 2, 3, 4, 5].map((i) => sample(i)) },
    ...overrides,
  }
}

type Row = TaskListQuery["tasks"][number]

export function taskRow(overrides: Partial<Row> = {}): Row {
  const t = taskDetail()
  return {
    id: t.id,
    title: t.title,
    category: t.category,
    subcategory: t.subcategory,
    status: t.status,
    createdAt: t.createdAt,
    labelledCount: t.labelledCount,
    poolRemaining: t.poolRemaining,
    lastError: null,
    rounds: t.rounds.map((r) => ({ number: r.number, accuracy: r.accuracy })),
    currentBatch: t.currentBatch,
    ...overrides,
  }
}

export function invite(overrides: Partial<InviteRow> = {}): InviteRow {
  return {
    id: "3",
    hint: "WXYZ",
    taskIds: null,
    maxUses: 5,
    uses: 2,
    expiresAt: null,
    note: "Red Cross volunteers",
    revokedAt: null,
    createdAt: "2026-12-02T04:43:08+00:00",
    usable: true,
    ...overrides,
  }
}

export function createdInvite(overrides: Partial<InviteRow> = {}): CreatedInvite {
  return {
    invite: invite({ id: "4", uses: 0, ...overrides }),
    code: "ABCD-EFGH-JKLM-WXYZ",
    link: "http://test/app/?invite=ABCD-EFGH-JKLM-WXYZ",
  }
}

export function annotator(overrides: Partial<AnnotatorRow> = {}): AnnotatorRow {
  return {
    id: "11",
    name: "Ana",
    status: "ACTIVE",
    statusReason: null,
    createdAt: "2026-12-02T04:43:08+00:00",
    taskIds: null,
    answers: 40,
    tasks: 2,
    goldAnswers: 10,
    goldAccuracy: 0.8,
    agreement: 0.9,
    reliability: 0.75,
    lastAnswerAt: "2026-12-02T05:00:00+00:00",
    tokenExpiresAt: null,
    ...overrides,
  }
}

export function agreement(overrides: Partial<Agreement> = {}): Agreement {
  return {
    alpha: 0.82,
    answers: 30,
    evidence: 2,
    accepted: 12,
    disputed: 1,
    disputedShare: 1 / 13,
    answersPerLabel: 2.5,
    ...overrides,
  }
}

export function prediction(id: number, overrides: Partial<Prediction> = {}): Prediction {
  return {
    label: "long_sleeved",
    confidence: 0.9,
    roundNumber: 1,
    crowdState: "UNLABELLED",
    crowdLabel: null,
    disagrees: false,
    sample: { id: String(id), mediaUrl: `http://test/media/${id}`, text: null },
    ...overrides,
  }
}

/** A page of the predictions connection as the server sends it. */
export function predictionPage(items: Prediction[], { total = items.length, next = null as string | null } = {}) {
  return {
    predictions: {
      totalCount: total,
      pageInfo: { hasNextPage: next !== null, endCursor: next ?? (items.length ? `c${items.length}` : null) },
      edges: items.map((node, i) => ({ cursor: `c${i}`, node })),
    },
  }
}
