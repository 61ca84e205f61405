import { useCallback, useEffect, useMemo, useRef, useState } from "react"
import { prefetchImages } from "../components"
import { useConnection } from "../services/api/ApiProvider"
import { useTask, type TaskDetail } from "../services/api/hooks"
import type { Answer, Opened } from "../services/queue/answerQueue"
import { answerState } from "../services/queue/answerState"
import { useAnswerQueue } from "../services/queue/QueueProvider"
import { answerChoices } from "../utils/answerChoices"
import { useImageRequestWidth } from "../utils/mediaPreview"

type Batch = NonNullable<TaskDetail["currentBatch"]>
type Sample = Batch["samples"][number]

// After this long the task screen takes over and shows the submission as saved and pending.
const SUBMIT_WAIT_MS = 6_000
// Nobody judges a photo faster: a tap sooner after it appeared is the second half of a double tap.
export const MIN_LOOK_MS = 250
// The server keeps a sample handed out to me from others for 5 minutes; asking again renews it.
const RENEW_LEASE_MS = 4 * 60_000

/** The samples of `batch` this sign-in opened it with, in that order (their data as fetched now). */
function shownSamples(opened: Opened | null | undefined, batch: Batch | null): Sample[] {
  if (!opened || !batch) return []
  const byId = new Map(batch.samples.map((s) => [s.id, s]))
  return opened.sampleIds.flatMap((id) => byId.get(id) ?? [])
}

/** The labelling session of a task's open batch: where we are, what was answered, and the moves. */
export function useBatchLabelling(taskId: string) {
  const live = useTask(taskId)
  const { queue, pending, answered } = useAnswerQueue()
  const { epoch } = useConnection()
  const requestWidth = useImageRequestWidth()
  const task = live.data?.task
  // Once submitted the batch counts as answered (it waits in the outbox); this session keeps it on
  // screen until the submit settles and the task screen takes over.
  const [sending, setSending] = useState<Batch | null>(null)
  const answer = task ? answerState(task, pending, answered) : null
  const batch = sending ?? (answer?.kind === "open" ? answer.batch : null)
  const batchId = batch?.id
  // The batch as this sign-in first opened it (undefined until read; null: nothing handed out to me).
  const [opened, setOpened] = useState<{ batchId: string; record: Opened | null } | null>(null)
  const record = opened && opened.batchId === batchId ? opened.record : undefined
  const samples = useMemo(() => shownSamples(record, batch), [record, batch])
  const [answers, setAnswers] = useState<Answer[] | null>(null)
  const [index, setIndex] = useState(0)
  const sample = samples[index]
  const look = useLook(sample?.id)

  // Open the batch with the samples handed out to me (recording when, the first time), and resume
  // where its saved draft left off; only when the batch itself changes (or, while nothing was
  // handed out, what is handed out), not at every refetch, so the user's place is kept.
  const batchRef = useRef(batch)
  batchRef.current = batch
  const assigned = batch?.assigned.map((s) => s.id).join(" ") ?? ""
  const needsOpening = record === undefined || record === null
  useEffect(() => {
    const current = batchRef.current
    if (!batchId || !current || !needsOpening) return
    let stale = false
    void (async () => {
      const found = await queue.open(
        taskId,
        batchId,
        current.assigned.map((s) => s.id),
      )
      const saved = found ? await queue.draft(taskId, batchId) : []
      if (stale) return
      const shown = shownSamples(found, current)
      const done = new Set(saved.map((a) => a.sampleId))
      const next = shown.findIndex((s) => !done.has(s.id))
      setOpened({ batchId, record: found })
      setAnswers(saved)
      setIndex(next < 0 ? shown.length : next)
    })()
    return () => void (stale = true)
  }, [queue, taskId, batchId, needsOpening, assigned])

  // My samples as soon as the batch opens (and again when the connection is back, for what
  // failed), from the sample on screen onwards: offline later, every photo is already on the phone.
  const samplesRef = useRef(samples)
  samplesRef.current = samples
  const indexRef = useRef(index)
  indexRef.current = index
  const openedAt = record?.openedAt
  useEffect(() => {
    if (!openedAt) return
    const from = indexRef.current
    const ordered = [...samplesRef.current.slice(from), ...samplesRef.current.slice(0, from)]
    void prefetchImages(
      ordered.map((s) => s.mediaUrl),
      requestWidth,
    )
  }, [batchId, openedAt, epoch, requestWidth])

  // While I answer, ask now and then, so the server keeps my samples for me.
  const { refetch } = live
  const answering = !!openedAt && !sending
  useEffect(() => {
    if (!answering) return
    const id = setInterval(refetch, RENEW_LEASE_MS)
    return () => clearInterval(id)
  }, [answering, refetch])

  // The latest answer saved, said on screen and to screen readers: "Photo 3: Yes, saved".
  const [lastSaved, setLastSaved] = useState<{ position: number; label: string } | null>(null)
  const busy = useRef(false)
  const choose = useCallback(
    async (label: string) => {
      // Only an answer to a photo that has been on screen; one tap at a time.
      if (!batch || !sample || !look.ready(sample.id) || busy.current) return
      busy.current = true
      look.reset()
      try {
        setAnswers(await queue.answer(taskId, batch.id, { sampleId: sample.id, label }))
        setLastSaved({ position: index + 1, label })
        setIndex(index + 1)
      } finally {
        busy.current = false
      }
    },
    [queue, taskId, batch, sample, index, look],
  )

  /** Take back the answer to the previous sample and show it again. */
  const undo = useCallback(async () => {
    const previous = samples[index - 1]
    if (!batch || !previous) return
    setAnswers(await queue.unanswer(taskId, batch.id, previous.id))
    setLastSaved(null)
    setIndex(index - 1)
  }, [queue, taskId, batch, samples, index])

  /** Submit the batch; resolves once sent, refused, or queued for later (at most a few seconds). */
  const submit = useCallback(async () => {
    if (!batch) return
    setSending(batch)
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise((resolve) => (timer = setTimeout(resolve, SUBMIT_WAIT_MS)))
    await Promise.race([queue.submit(taskId, batch.id), timeout])
    clearTimeout(timer)
  }, [queue, taskId, batch])

  const choices = useMemo(() => (task ? answerChoices(task.labels, task.subcategory) : []), [task])
  return {
    ...live,
    task,
    batch,
    samples,
    /** The batch is open, but nothing in it is handed out to me, and I have not opened it before. */
    nothingLeft: !!batch && record === null,
    choices,
    answers,
    index,
    sample,
    given: sample ? answers?.find((a) => a.sampleId === sample.id)?.label : undefined,
    /** The sample on screen can be answered: shown in full, long enough to have been seen. */
    canAnswer: look.readyFor === sample?.id,
    onShown: look.shown,
    retrySignal: epoch,
    requestWidth,
    submitting: sending !== null,
    lastSaved,
    canUndo: index > 0 && !!answers?.some((a) => a.sampleId === samples[index - 1]?.id),
    undo,
    choose,
    submit,
    goTo: (i: number) => setIndex(Math.max(0, Math.min(samples.length, i))),
  }
}

/**
 * When the sample on screen may be answered: once it is shown in full (its image loaded) and has
 * been for MIN_LOOK_MS. `ready` reads a ref, so two taps in one frame cannot both pass.
 */
export function useLook(sampleId: string | undefined) {
  const [readyFor, setReadyFor] = useState<string | null>(null)
  const readyRef = useRef<string | null>(null)
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)
  const looking = useRef<string | null>(null) // whose timer runs
  const reset = useCallback(() => {
    clearTimeout(timer.current)
    looking.current = null
    readyRef.current = null
    setReadyFor(null)
  }, [])
  const shown = useCallback((id: string) => {
    clearTimeout(timer.current)
    looking.current = id
    timer.current = setTimeout(() => {
      readyRef.current = id
      setReadyFor(id)
    }, MIN_LOOK_MS)
  }, [])
  // Another sample on screen (next, previous, resumed): it has to be shown and seen first, and
  // coming back to this one means looking at it again. Only what belongs to the sample left is
  // forgotten: this cleanup may run after the next sample's photo has already loaded (a cached
  // photo), and must not take that one's look away, which would leave its answers disabled.
  useEffect(() => {
    const leaving = sampleId
    return () => {
      if (looking.current === leaving) {
        clearTimeout(timer.current)
        looking.current = null
      }
      if (readyRef.current === leaving) {
        readyRef.current = null
        setReadyFor(null)
      }
    }
  }, [sampleId])
  const ready = useCallback((id: string) => readyRef.current === id, [])
  return useMemo(() => ({ readyFor, ready, shown, reset }), [readyFor, ready, shown, reset])
}
