import { useCallback, useEffect, useRef, useState } from "react"
import { useClient, type CombinedError } from "urql"
import type { CrowdState, PredictionOrder, PredictionsQuery } from "../gql/graphql"
import { PredictionsDocument } from "./documents"
import { formErrors } from "./problem"

export type Prediction = PredictionsQuery["predictions"]["edges"][number]["node"]

/** What the owner asks for; null: any. */
export type PredictionFilters = {
  label: string | null
  minConfidence: number | null
  maxConfidence: number | null
  state: CrowdState | null
  disagreements: boolean
  order: PredictionOrder
}

export type PredictionsView = {
  /** loading: the first page of these filters is on its way (the previous items stay shown). */
  status: "loading" | "ready" | "failed"
  items: Prediction[]
  total: number
  hasNext: boolean
  /** Why the first page failed: the server's messages by field (minConfidence...) and the rest. */
  fields: Record<string, string>
  problem: string | null
  more: "idle" | "loading" | "failed"
  moreProblem: string | null
}

const START: PredictionsView = {
  status: "loading",
  items: [],
  total: 0,
  hasNext: false,
  fields: {},
  problem: null,
  more: "idle",
  moreProblem: null,
}

function inWords(error: CombinedError): { fields: Record<string, string>; problem: string | null } {
  const { fields, form } = formErrors(error)
  return { fields, problem: form }
}

/**
 * The latest round's predictions for a task, a page at a time: the first page of `filters`
 * (again whenever they or `reload` change), then `loadMore` appends the next one by its cursor.
 */
export function usePredictions(taskId: string, filters: PredictionFilters, reload: number) {
  const client = useClient()
  const [view, setView] = useState<PredictionsView>(START)
  const cursor = useRef<string | null>(null)
  // Each first page read gets a number; an answer for an older one (filters changed since) is dropped.
  const generation = useRef(0)
  const key = JSON.stringify(filters)
  // Which read the view answers. Until the effect below has asked for the new one, the render
  // already knows the items shown are another read's: "loading" from the same render the filters
  // changed in, so nobody (a reader, a test) takes the old tiles for the new filters' answer.
  const asking = `${taskId}|${key}|${reload}`
  const [answering, setAnswering] = useState(asking)

  useEffect(() => {
    const mine = ++generation.current
    const asked = JSON.parse(key) as PredictionFilters
    setAnswering(`${taskId}|${key}|${reload}`)
    setView((v) => ({ ...v, status: "loading", more: "idle", moreProblem: null }))
    void client
      .query(PredictionsDocument, { taskId, after: null, ...asked }, { requestPolicy: "network-only" })
      .toPromise()
      .then((result) => {
        if (mine !== generation.current) return
        const page = result.data?.predictions
        if (!page) {
          const why = result.error ? inWords(result.error) : { fields: {}, problem: null }
          setView({ ...START, status: "failed", ...why })
          return
        }
        cursor.current = page.pageInfo.endCursor ?? null
        setView({
          ...START,
          status: "ready",
          items: page.edges.map((e) => e.node),
          total: page.totalCount,
          hasNext: page.pageInfo.hasNextPage,
        })
      })
  }, [client, taskId, key, reload])

  const loadMore = useCallback(async () => {
    const mine = generation.current
    setView((v) => ({ ...v, more: "loading", moreProblem: null }))
    const asked = JSON.parse(key) as PredictionFilters
    const result = await client
      .query(PredictionsDocument, { taskId, after: cursor.current, ...asked }, { requestPolicy: "network-only" })
      .toPromise()
    if (mine !== generation.current) return
    const page = result.data?.predictions
    if (!page) {
      const why = result.error ? inWords(result.error) : { fields: {}, problem: null }
      const moreProblem = [...Object.values(why.fields), why.problem].filter(Boolean).join(" ")
      setView((v) => ({ ...v, more: "failed", moreProblem: moreProblem || "The next page did not come." }))
      return
    }
    cursor.current = page.pageInfo.endCursor ?? null
    setView((v) => ({
      ...v,
      items: [...v.items, ...page.edges.map((e) => e.node)],
      total: page.totalCount,
      hasNext: page.pageInfo.hasNextPage,
      more: "idle",
    }))
  }, [client, taskId, key])

  const status = answering === asking ? view.status : "loading"
  return { ...view, status, loadMore }
}
