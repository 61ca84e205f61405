import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react"
import { useClient } from "urql"
import { RefusalContext, SignInRefusedContext, useConnection } from "../api/ApiProvider"
import { describeProblem, refusalOf, type Problem } from "../api/problem"
import { serverClock } from "../api/serverClock"
import { graphqlTransport } from "../api/submit"
import { useEndAccess } from "../session/SessionContext"
import { deviceStore } from "../storage/keyValue"
import { AnswerQueue, type Submission } from "./answerQueue"
import type { Answered } from "./answerState"
import { t } from "../../i18n"

/** A refused submission, said plainly: a title, a sentence, and when (screens refetch on it). */
export type Rejection = { title: string; message: string; at: number }

function rejectionOf(problem: Problem): Rejection {
  const refusal = refusalOf(problem)
  const title = t(refusal ? `panel.${refusal}` : "panel.notAccepted")
  return { title, message: describeProblem(problem), at: Date.now() }
}

/** Answers that reached the server after the crowd had decided their samples: kept, not counted. */
export type Late = { uncounted: number; at: number }

type QueueState = {
  queue: AnswerQueue
  /** Submissions still waiting for the server. */
  pending: Submission[]
  /** Refused submissions, by task id. */
  rejections: Record<string, Rejection>
  /** Task ids whose queued answers just reached the server. */
  delivered: Record<string, number>
  /** The batch of each task whose answers the server has taken from this device. */
  answered: Answered
  /** Submissions, by task id, of which some answers arrived too late to count as votes. */
  late: Record<string, Late>
  clearRejection: (taskId: string) => void
  clearLate: (taskId: string) => void
}

const QueueContext = createContext<QueueState | null>(null)

type Props = { children: ReactNode; queue?: AnswerQueue; owner?: string }

/**
 * Owns the signed-in annotator's answer queue (`owner`'s drafts and outbox, no one else's); sends it
 * whenever the client or the connection comes back.
 */
export function QueueProvider({ children, queue: given, owner }: Props) {
  const client = useClient()
  const { epoch } = useConnection()
  // Dated by the server's clock: a phone's may be minutes off (openedAt).
  const queue = useMemo(() => given ?? new AnswerQueue(deviceStore, { owner, now: serverClock.now }), [given, owner])
  const [pending, setPending] = useState<Submission[]>([])
  const [rejections, setRejections] = useState<Record<string, Rejection>>({})
  const [delivered, setDelivered] = useState<Record<string, number>>({})
  const [answered, setAnswered] = useState<Answered>({})
  const [late, setLate] = useState<Record<string, Late>>({})
  const report = useContext(SignInRefusedContext)
  useSignInRefused(queue, useContext(RefusalContext))

  useEffect(() => {
    const unsubscribe = queue.subscribe((event) => {
      if (event.type === "changed") void queue.pending().then(setPending)
      if (event.type === "rejected") {
        setRejections((r) => ({ ...r, [event.submission.taskId]: rejectionOf(event.problem) }))
      }
      const { taskId, batchId } = "submission" in event ? event.submission : { taskId: "", batchId: "" }
      // The server has these answers (or had them already): no screen may offer this batch again,
      // even before its refetch arrives; and the outbox no longer holds them.
      if (event.type === "sent" || (event.type === "rejected" && refusalOf(event.problem) === "alreadyAnswered")) {
        setAnswered((a) => ({ ...a, [taskId]: batchId }))
        setPending((p) => p.filter((s) => s.taskId !== taskId || s.batchId !== batchId))
      }
      if (event.type === "sent") setDelivered((d) => ({ ...d, [taskId]: Date.now() }))
      if (event.type === "sent" && event.counted < event.accepted) {
        setLate((l) => ({ ...l, [taskId]: { uncounted: event.accepted - event.counted, at: Date.now() } }))
      }
      if (event.type === "unauthenticated") report(event.message)
    })
    void queue.pending().then(setPending)
    return unsubscribe
  }, [queue, report])

  useEffect(() => {
    queue.setTransport(graphqlTransport(client))
    return () => {
      queue.setTransport(null)
      queue.dispose()
    }
  }, [queue, client])

  // Back online (the live link, a request, or the device's network): do not wait for the back-off.
  useEffect(() => {
    if (epoch > 0) void queue.flush()
  }, [queue, epoch])

  const value = useMemo(
    () => ({
      queue,
      pending,
      rejections,
      delivered,
      answered,
      late,
      clearRejection: (taskId: string) => setRejections(({ [taskId]: _, ...rest }) => rest),
      clearLate: (taskId: string) => setLate(({ [taskId]: _, ...rest }) => rest),
    }),
    [queue, pending, rejections, delivered, answered, late],
  )
  return <QueueContext.Provider value={value}>{children}</QueueContext.Provider>
}

/**
 * Once the server has refused this sign-in's token (`refusal`, its message): set the answers
 * aside (kept, never sent), then end the sign-in, saying why and what was left behind.
 */
function useSignInRefused(queue: AnswerQueue, refusal: string | null): void {
  const endAccess = useEndAccess()
  const done = useRef(false)
  useEffect(() => {
    if (refusal === null || done.current) return
    done.current = true
    void queue.setAside().then((left) => endAccess(refusal, left))
  }, [queue, refusal, endAccess])
}

/** The answer queue and what it is waiting on. */
export function useAnswerQueue(): QueueState {
  const state = useContext(QueueContext)
  if (!state) throw new Error("useAnswerQueue outside QueueProvider")
  return state
}
