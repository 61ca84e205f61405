import { graphql } from "../gql"

// Every operation the console sends, in one place, so codegen checks them all against the schema
// (and a trusted-documents manifest can be built from this one file).

export const MeDocument = graphql(`
  query Me {
    me {
      id
      name
      role
    }
  }
`)

export const TaskListDocument = graphql(`
  query TaskList {
    tasks {
      id
      title
      category
      subcategory
      status
      createdAt
      labelledCount
      poolRemaining
      lastError
      rounds {
        number
        accuracy
      }
      currentBatch {
        id
        number
        status
        samples {
          id
          state
          answerCount
        }
      }
    }
  }
`)

export const TaskDetailDocument = graphql(`
  query TaskDetail($id: ID!) {
    task(id: $id) {
      id
      title
      description
      category
      subcategory
      labels
      status
      coverImageUrl
      lastError
      createdAt
      labelledCount
      poolRemaining
      scenario {
        pretrainedModel
        initialTrainSize
        batchSize
        evalSize
        testSize
        queryStrategy
        minPeers
        minAgreement
        maxPeers
        trainingMode
        seed
        aggregation
        redundancy
        goldShare
        goldSize
        labelBudget
        targetAccuracy
        plateauAgreement
        plateauWindow
      }
      finishedReason
      rounds {
        number
        trainSize
        accuracy
        precision
        recall
        f1
        confusionMatrix
        startedAt
        finishedAt
        model {
          ...RoundModelFields
        }
      }
      currentBatch {
        id
        number
        status
        samples {
          id
          answerCount
          state
          resolvedLabel
          mediaUrl
          text
        }
      }
    }
  }
`)

// Each format a round's model can be downloaded in, by name (aliases of one field).
export const RoundModelFields = graphql(`
  fragment RoundModelFields on RoundModel {
    id
    size
    createdAt
    onnx: downloadUrl(format: ONNX)
    torchscript: downloadUrl(format: TORCHSCRIPT)
    weights: downloadUrl(format: WEIGHTS)
    metadata: downloadUrl(format: METADATA)
  }
`)

export const AgreementFields = graphql(`
  fragment AgreementFields on Agreement {
    alpha
    answers
    evidence
    accepted
    disputed
    disputedShare
    answersPerLabel
  }
`)

// Read apart from TaskDetail (which is read every few seconds): the crowd's agreement over every
// batch is read again only when the answers the page shows have changed.
export const TaskAgreementDocument = graphql(`
  query TaskAgreement($id: ID!) {
    task(id: $id) {
      id
      agreement {
        ...AgreementFields
      }
      currentBatch {
        id
        number
        agreement {
          ...AgreementFields
        }
      }
      rounds {
        number
        agreement {
          ...AgreementFields
        }
      }
    }
  }
`)

export const PredictionsDocument = graphql(`
  query Predictions(
    $taskId: ID!
    $after: String
    $label: String
    $minConfidence: Float
    $maxConfidence: Float
    $state: CrowdState
    $disagreements: Boolean!
    $order: PredictionOrder!
  ) {
    predictions(
      taskId: $taskId
      after: $after
      label: $label
      minConfidence: $minConfidence
      maxConfidence: $maxConfidence
      state: $state
      disagreements: $disagreements
      order: $order
    ) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          label
          confidence
          roundNumber
          crowdState
          crowdLabel
          disagrees
          sample {
            id
            mediaUrl
            text
          }
        }
      }
    }
  }
`)

// The samples the crowd could not agree on (or those the owner discarded), across every batch,
// with the votes per label.
export const DisputedSamplesDocument = graphql(`
  query DisputedSamples($id: ID!, $first: Int!, $state: SampleState!) {
    task(id: $id) {
      id
      sampleConnection(first: $first, state: [$state]) {
        totalCount
        edges {
          node {
            id
            mediaUrl
            text
            state
            answerCount
            votes {
              label
              count
            }
          }
        }
      }
    }
  }
`)

export const ReviewSampleDocument = graphql(`
  mutation ReviewSample($sampleId: ID!, $action: SampleReview!, $label: String) {
    reviewSample(sampleId: $sampleId, action: $action, label: $label) {
      id
      state
      resolvedLabel
    }
  }
`)

export const DatasetListDocument = graphql(`
  query DatasetList {
    datasets {
      name
      kind
      labels
      labelled
      pool
      size
      createdAt
      labelCounts {
        label
        count
      }
    }
  }
`)

export const DatasetPreviewsDocument = graphql(`
  query DatasetPreviews($name: String!) {
    dataset(name: $name) {
      name
      previews(first: 8) {
        label
        text
        mediaUrl
      }
    }
  }
`)

export const CreateTaskDocument = graphql(`
  mutation CreateTask($input: CreateTaskInput!) {
    createTask(input: $input) {
      id
      title
      status
    }
  }
`)

export const UpdateTaskDocument = graphql(`
  mutation UpdateTask($id: ID!, $input: UpdateTaskInput!) {
    updateTask(id: $id, input: $input) {
      id
      title
      description
      coverImageUrl
      status
      scenario {
        batchSize
        queryStrategy
        minPeers
        minAgreement
        maxPeers
        aggregation
        redundancy
        goldShare
        labelBudget
        targetAccuracy
        plateauAgreement
        plateauWindow
      }
    }
  }
`)

export const DeleteTaskDocument = graphql(`
  mutation DeleteTask($id: ID!) {
    deleteTask(id: $id)
  }
`)

export const TasksChangedDocument = graphql(`
  subscription TasksChanged {
    tasksChanged {
      id
      status
      deleted
    }
  }
`)

export const TaskEventsDocument = graphql(`
  subscription TaskEvents($taskId: ID!) {
    taskEvents(taskId: $taskId, progress: true) {
      __typename
      ... on BatchProgress {
        batch {
          id
        }
        answers
        decided
      }
      ... on RoundCompleted {
        round {
          number
        }
      }
      ... on NewBatchAvailable {
        batch {
          id
          number
        }
      }
      ... on TaskLocked {
        reason
      }
      ... on TaskFailed {
        error
      }
    }
  }
`)

export const TaskTitlesDocument = graphql(`
  query TaskTitles {
    tasks {
      id
      title
    }
  }
`)

export const InviteFields = graphql(`
  fragment InviteFields on Invite {
    id
    hint
    taskIds
    maxUses
    uses
    expiresAt
    note
    revokedAt
    createdAt
    usable
  }
`)

export const InviteListDocument = graphql(`
  query InviteList {
    invites {
      ...InviteFields
    }
  }
`)

export const CreateInviteDocument = graphql(`
  mutation CreateInvite($taskIds: [ID!], $maxUses: Int!, $expiresAt: DateTime, $note: String!) {
    createInvite(taskIds: $taskIds, maxUses: $maxUses, expiresAt: $expiresAt, note: $note) {
      invite {
        ...InviteFields
      }
      code
      link
    }
  }
`)

export const RevokeInviteDocument = graphql(`
  mutation RevokeInvite($id: ID!) {
    revokeInvite(id: $id) {
      ...InviteFields
    }
  }
`)

export const AnnotatorFields = graphql(`
  fragment AnnotatorFields on AnnotatorProfile {
    id
    name
    status
    statusReason
    createdAt
    taskIds
    answers
    tasks
    goldAnswers
    goldAccuracy
    agreement
    reliability
    lastAnswerAt
    tokenExpiresAt
  }
`)

export const AnnotatorListDocument = graphql(`
  query AnnotatorList($status: AnnotatorStatus) {
    annotators(status: $status) {
      ...AnnotatorFields
    }
  }
`)

export const SuspendAnnotatorDocument = graphql(`
  mutation SuspendAnnotator($id: ID!, $reason: String!) {
    suspendAnnotator(id: $id, reason: $reason) {
      annotator {
        ...AnnotatorFields
      }
      uncountedAnswers
      decidedAnswers
    }
  }
`)

export const ReinstateAnnotatorDocument = graphql(`
  mutation ReinstateAnnotator($id: ID!) {
    reinstateAnnotator(id: $id) {
      ...AnnotatorFields
    }
  }
`)

export const RevokeTokenDocument = graphql(`
  mutation RevokeToken($annotatorId: ID!) {
    revokeToken(annotatorId: $annotatorId) {
      ...AnnotatorFields
    }
  }
`)
