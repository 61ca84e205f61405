import { graphql } from "../../gql"

// Every operation the app sends, in one place, so codegen checks them all against the schema.

export const RegisterAnnotatorDocument = graphql(`
  mutation RegisterAnnotator($name: String!, $invite: String) {
    registerAnnotator(name: $name, invite: $invite) {
      token
    }
  }
`)

// Who the token belongs to; asked when the live link is refused, to learn whether the token is.
export const MeDocument = graphql(`
  query Me {
    me {
      id
    }
  }
`)

export const CategoriesDocument = graphql(`
  query Categories {
    categories {
      category
      subcategories {
        subcategory
        taskCount
      }
    }
  }
`)

export const TasksDocument = graphql(`
  query Tasks($category: TaskCategory, $subcategory: TaskSubcategory) {
    tasks(category: $category, subcategory: $subcategory) {
      id
      title
      status
      lockedForMe
      coverImageUrl
      labelledCount
      currentBatch {
        id
        number
        # How many are left for me: its samples less what I answered (not assigned: fetching that hands samples out).
        samples {
          id
        }
        myAnswers {
          sampleId
        }
      }
    }
  }
`)

export const TaskDocument = graphql(`
  query Task($id: ID!) {
    task(id: $id) {
      id
      title
      description
      category
      subcategory
      labels
      status
      coverImageUrl
      lockedForMe
      labelledCount
      poolRemaining
      lastError
      scenario {
        batchSize
      }
      rounds {
        number
        accuracy
        trainSize
      }
      currentBatch {
        id
        number
        samples {
          id
          mediaUrl
          text
        }
        # Fetching this hands the samples out to me (a lease of a few minutes): answer these.
        assigned {
          id
        }
        # What I answered here (after a restart, the phone no longer has its drafts).
        myAnswers {
          sampleId
          label
        }
      }
    }
  }
`)

export const SubmitAnswersDocument = graphql(`
  mutation SubmitAnswers($taskId: ID!, $batchId: ID!, $answers: [AnswerInput!]!, $openedAt: DateTime) {
    submitAnswers(taskId: $taskId, batchId: $batchId, answers: $answers, openedAt: $openedAt) {
      accepted
      counted
      task {
        id
        status
        lockedForMe
      }
    }
  }
`)

export const TaskEventsDocument = graphql(`
  subscription TaskEvents($taskId: ID!) {
    taskEvents(taskId: $taskId) {
      __typename
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

export const TasksChangedDocument = graphql(`
  subscription TasksChanged {
    tasksChanged {
      id
      status
    }
  }
`)

export const ReleaseAssignmentsDocument = graphql(`
  mutation ReleaseAssignments {
    releaseAssignments
  }
`)
