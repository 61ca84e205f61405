import { useCallback, useEffect, useRef } from "react"
import { useSubscription, type AnyVariables, type TypedDocumentNode } from "urql"
import { useLive } from "./ApiProvider"

/** Call `fn` at most once per `ms`, however many times this is called meanwhile (a burst of events). */
export function useCoalesced(fn: () => void, ms: number): () => void {
  const latest = useRef(fn)
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)
  useEffect(() => {
    latest.current = fn
  })
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current)
    },
    [],
  )
  return useCallback(() => {
    if (timer.current) return
    timer.current = setTimeout(() => {
      timer.current = null
      latest.current()
    }, ms)
  }, [ms])
}

/** Call `tick` every `ms` while the page is visible; null: not at all. */
export function usePoll(ms: number | null, tick: () => void): void {
  const latest = useRef(tick)
  useEffect(() => {
    latest.current = tick
  })
  useEffect(() => {
    if (ms === null) return
    const id = setInterval(() => {
      if (!document.hidden) latest.current()
    }, ms)
    return () => clearInterval(id)
  }, [ms])
}

/** Call `refetch` after each event of `query` that `wanted` accepts. */
export function useRefetchOnEvent<Data, Variables extends AnyVariables>(
  query: TypedDocumentNode<Data, Variables>,
  variables: Variables,
  refetch: () => void,
  wanted: (event: Data) => boolean = () => true,
  onEvent?: (event: Data) => void,
): void {
  useSubscription<Data, Data, Variables>({ query, variables } as never, (_previous, event) => {
    if (wanted(event)) {
      onEvent?.(event)
      refetch()
    }
    return event
  })
}

/** Call `refetch` each time the live connection comes back: events sent meanwhile were missed. */
export function useRefetchOnReconnect(refetch: () => void): void {
  const { reconnects } = useLive()
  const latest = useRef(refetch)
  useEffect(() => {
    latest.current = refetch
  })
  useEffect(() => {
    if (reconnects > 0) latest.current()
  }, [reconnects])
}
