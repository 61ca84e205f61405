import { useCallback, useEffect, useMemo, useRef, useState } from "react"
import { prefetchImages } from "../components"
import { useTask, type TaskDetail } from "../services/api/hooks"
import type { Answer } from "../services/queue/answerQueue"
import { answerState } from "../services/queue/answerState"
import { useAnswerQueue } from "../services/queue/QueueProvider"
import { answerChoices } from "../utils/answerChoices"

type Batch = NonNullable<TaskDetail["currentBatch"]>

// After this long the task screen takes over and shows the submission as saved and pending.
const SUBMIT_WAIT_MS = 6_000

/** The labelling session of a task's open batch: where we are, what was answered, and the moves. */
export function useBatchLabelling(taskId: string) {
  const live = useTask(taskId)
  const { queue, pending, answered } = useAnswerQueue()
  const task = live.data?.task
  // Once submitted the batch counts as answered (it waits in the outbox); this session keeps it on
  // screen until the submit settles and the task screen takes over.
  const [sending, setSending] = useState<Batch | null>(null)
  const answer = task ? answerState(task, pending, answered) : null
  const batch = sending ?? (answer?.kind === "open" ? answer.batch : null)
  const samples = useMemo(() => batch?.samples ?? [], [batch])
  const [answers, setAnswers] = useState<Answer[] | null>(null)
  const [index, setIndex] = useState(0)

  // Resume where the saved draft of this batch left off; only when the batch itself changes, not
  // at every refetch, so the user's place is kept.
  const batchId = batch?.id
  const samplesRef = useRef(samples)
  samplesRef.current = samples
  useEffect(() => {
    if (!batchId) return
    void queue.draft(taskId, batchId).then((saved) => {
      setAnswers(saved)
      const done = new Set(saved.map((a) => a.sampleId))
      const next = samplesRef.current.findIndex((s) => !done.has(s.id))
      setIndex(next < 0 ? samplesRef.current.length : next)
    })
  }, [queue, taskId, batchId])

  useEffect(() => {
    void prefetchImages([samples[index + 1]?.mediaUrl, samples[index + 2]?.mediaUrl])
  }, [samples, index])

  const choose = useCallback(
    async (label: string) => {
      const sample = samples[index]
      if (!batch || !sample) return
      setAnswers(await queue.answer(taskId, batch.id, { sampleId: sample.id, label }))
      // From the answered position, not i + 1: a double tap must not skip a sample.
      setIndex(index + 1)
    },
    [queue, taskId, batch, samples, index],
  )

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
  const sample = samples[index]
  return {
    ...live,
    task,
    batch,
    choices,
    answers,
    index,
    sample,
    given: sample ? answers?.find((a) => a.sampleId === sample.id)?.label : undefined,
    submitting: sending !== null,
    choose,
    submit,
    goTo: (i: number) => setIndex(Math.max(0, Math.min(samples.length, i))),
  }
}
