import { useCallback, useMemo } from "react"
import { useClient, type Client } from "urql"
import { ReleaseAssignmentsDocument } from "../api/documents"
import { useSession } from "../session/SessionContext"
import { useHandover } from "./handover"
import { useAnswerQueue } from "./QueueProvider"

/** What signing out now would leave behind. */
export type SignOutCheck = {
  /** Answers of finished batches not yet sent: they go later, with this sign-in's own token. */
  unsent: number
  /** Answers of unfinished batches: deleted, nobody else may finish them. */
  unfinished: number
}

// How long a sign-out waits for the outbox to go before it asks.
const SEND_WAIT_MS = 5_000
// How long it waits for the server to take back the photos handed to this sign-in.
const RELEASE_WAIT_MS = 2_000

/**
 * Hand back what the server handed this sign-in, so the next annotator is given it now rather
 * than when its lease runs out. Best effort: offline, the lease ends on its own.
 */
async function releaseAssignments(client: Client): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const sent = client.mutation(ReleaseAssignmentsDocument, {}, { requestPolicy: "network-only" }).toPromise()
  await Promise.race([
    sent.catch(() => undefined),
    new Promise((resolve) => (timer = setTimeout(resolve, RELEASE_WAIT_MS))),
  ])
  clearTimeout(timer)
}

/**
 * Sign out minding the answers: `check` first sends what it can with this sign-in's token and says
 * what would be left; `confirm` hands unsent answers over (sent later as this annotator's, see
 * Handover), hands back the photos the server handed this sign-in, deletes unfinished drafts,
 * and signs out.
 */
export function useSignOut() {
  const { queue } = useAnswerQueue()
  const client = useClient()
  const { state, signOut } = useSession()
  const handover = useHandover()
  const session = state.status === "signedIn" ? state.session : null

  const check = useCallback(async (): Promise<SignOutCheck> => {
    let timer: ReturnType<typeof setTimeout> | undefined
    await Promise.race([queue.flush(), new Promise((resolve) => (timer = setTimeout(resolve, SEND_WAIT_MS)))])
    clearTimeout(timer)
    const unsent = (await queue.pending()).reduce((n, s) => n + s.answers.length, 0)
    return { unsent, unfinished: await queue.draftedAnswers() }
  }, [queue])

  const confirm = useCallback(async () => {
    if (session) await handover.leave(session)
    await releaseAssignments(client)
    await queue.forgetDrafts()
    await signOut()
  }, [queue, handover, session, signOut, client])

  return useMemo(() => ({ check, confirm }), [check, confirm])
}
