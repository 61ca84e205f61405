import { useCallback, useRef, useState } from "react"
import { useQuery } from "urql"
import type { DatasetListQuery, DatasetPreviewsQuery } from "../gql/graphql"
import { uploadType } from "../domain/datasets"
import { DatasetListDocument, DatasetPreviewsDocument } from "./documents"
import { useRefetchOnReconnect } from "./live"
import { describeProblem, toProblem } from "./problem"

export type Dataset = DatasetListQuery["datasets"][number]

/** The datasets this server has (createTask's `dataset`), read again on request. */
export function useDatasets() {
  const [result, reexecute] = useQuery({ query: DatasetListDocument, requestPolicy: "cache-and-network" })
  const refetch = useCallback(() => reexecute({ requestPolicy: "network-only" }), [reexecute])
  useRefetchOnReconnect(refetch)
  return {
    datasets: result.data?.datasets,
    problem: result.error ? describeProblem(toProblem(result.error)) : null,
    refetch,
  }
}

export type DatasetPreview = NonNullable<DatasetPreviewsQuery["dataset"]>["previews"][number]

/**
 * A few samples of the dataset `name` over its labels and pool, read again each time the form
 * shows it (their image URLs are signed for half an hour only). `previews` is null while
 * loading, and empty where the server has no such dataset.
 */
export function useDatasetPreviews(name: string) {
  const [result, reexecute] = useQuery({
    query: DatasetPreviewsDocument,
    variables: { name },
    requestPolicy: "network-only",
  })
  const refetch = useCallback(() => reexecute({ requestPolicy: "network-only" }), [reexecute])
  const answered = result.data?.dataset?.name === name || result.data?.dataset === null
  return {
    previews: answered && !result.fetching ? (result.data?.dataset?.previews ?? []) : null,
    problem: result.error ? describeProblem(toProblem(result.error)) : null,
    refetch,
  }
}

/** What POST /datasets answers with 201 (server/datasets.py). */
export type Uploaded = {
  name: string
  kind: string
  labels: string[]
  labelled: number
  pool: number
  size: number
  /** Labelled examples per label, in label order (as the datasets query gives them). */
  labelCounts: { label: string; count: number }[]
  bad: { file: string; reason: string }[]
}

export type UploadState =
  | { status: "idle" }
  | { status: "sending"; sent: number; total: number }
  /** Every byte is sent; the server unpacks and checks it. */
  | { status: "importing" }
  | { status: "done"; dataset: Uploaded }
  | { status: "failed"; message: string; field: string | null; bad: Uploaded["bad"] }

type Refusal = { error?: unknown; code?: unknown; bad?: unknown }

function refusalOf(status: number, body: Refusal | null): Extract<UploadState, { status: "failed" }> {
  const code = typeof body?.code === "string" ? body.code : status === 401 ? "UNAUTHENTICATED" : "INTERNAL"
  const message = typeof body?.error === "string" ? body.error : `the server answered ${status}`
  const said = describeProblem({ kind: "server", code, message, field: null, retryAfterMs: null })
  const text = said.charAt(0).toUpperCase() + said.slice(1)
  // The name's rule and a name taken are about the name field.
  const field = /\bname\b/.test(message) && (code === "BAD_USER_INPUT" || code === "CONFLICT") ? "name" : null
  const bad = Array.isArray(body?.bad) ? (body.bad as Uploaded["bad"]) : []
  return { status: "failed", message: text, field, bad }
}

/**
 * POST a file as a new dataset with the admin's token, through XMLHttpRequest: fetch cannot
 * report an upload's progress. One upload at a time; `cancel` stops it.
 */
export function useUploadDataset(token: string | null) {
  const [state, setState] = useState<UploadState>({ status: "idle" })
  const request = useRef<XMLHttpRequest | null>(null)

  const upload = useCallback(
    (name: string, file: File): Promise<Uploaded | null> =>
      new Promise((resolve) => {
        const xhr = new XMLHttpRequest()
        request.current = xhr
        const fail = (next: UploadState) => {
          setState(next)
          resolve(null)
        }
        xhr.open("POST", `/datasets?name=${encodeURIComponent(name)}`)
        if (token) xhr.setRequestHeader("authorization", `Bearer ${token}`)
        xhr.setRequestHeader("content-type", uploadType(file.name))
        xhr.responseType = "json"
        xhr.upload.onprogress = (e) =>
          setState(
            e.loaded >= (e.lengthComputable ? e.total : file.size)
              ? { status: "importing" }
              : { status: "sending", sent: e.loaded, total: e.lengthComputable ? e.total : file.size },
          )
        xhr.upload.onload = () => setState({ status: "importing" })
        xhr.onload = () => {
          request.current = null
          const body = xhr.response as (Uploaded & Refusal) | null
          if (xhr.status === 201 && body) {
            setState({ status: "done", dataset: body })
            resolve(body)
          } else fail(refusalOf(xhr.status, body))
        }
        xhr.onerror = () => {
          request.current = null
          fail({
            status: "failed",
            message: describeProblem({ kind: "offline" }),
            field: null,
            bad: [],
          })
        }
        xhr.onabort = () => {
          request.current = null
          fail({ status: "idle" })
        }
        setState({ status: "sending", sent: 0, total: file.size })
        xhr.send(file)
      }),
    [token],
  )
  const cancel = useCallback(() => request.current?.abort(), [])
  const reset = useCallback(() => setState({ status: "idle" }), [])
  return { state, upload, cancel, reset }
}
