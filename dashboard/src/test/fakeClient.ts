import { act } from "@testing-library/react"
import { Client, makeErrorResult, makeResult, type Exchange, type Operation, type OperationResult } from "@urql/core"
import { GraphQLError, Kind, type OperationDefinitionNode } from "graphql"
import { filter, fromValue, makeSubject, mergeMap, never, pipe, type Source } from "wonka"

type Reply = Record<string, unknown> | Error | GraphQLError[]
type Handler = (variables: Record<string, unknown>) => Reply
type Subject = ReturnType<typeof makeSubject<OperationResult>>

/**
 * A real urql Client whose only exchange answers from handlers keyed by operation name (data, a
 * network Error, or GraphQLErrors as the server sends them). Subscriptions stay open; the test
 * pushes their events. A handler may be swapped mid-test to change what the "server" answers.
 */
export function fakeClient(handlers: Record<string, Handler>) {
  const subscriptions = new Map<string, { op: Operation; subject: Subject }>()
  const calls: { name: string; variables: Record<string, unknown> }[] = []

  const answer = (op: Operation): Source<OperationResult> => {
    const definition = op.query.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode
    const name = definition.name!.value
    const variables = (op.variables ?? {}) as Record<string, unknown>
    calls.push({ name, variables })
    if (op.kind === "subscription") {
      const subject = makeSubject<OperationResult>()
      subscriptions.set(name, { op, subject })
      return subject.source
    }
    const handler = handlers[name]
    if (!handler) return never
    const reply = handler(variables)
    const result =
      reply instanceof GraphQLError
        ? makeResult(op, { errors: [reply] })
        : Array.isArray(reply)
          ? makeResult(op, { errors: reply })
          : reply instanceof Error
            ? makeErrorResult(op, reply)
            : makeResult(op, { data: reply })
    return fromValue(result)
  }

  const exchange: Exchange = () => (ops$) =>
    pipe(
      ops$,
      filter((op) => op.kind !== "teardown"),
      mergeMap(answer),
    )
  const client = new Client({ url: "http://test/graphql", exchanges: [exchange] })

  /** Deliver one subscription event to whoever listens to `name`. */
  const push = (name: string, data: Record<string, unknown>) => {
    const sub = subscriptions.get(name)
    if (!sub) throw new Error(`nobody subscribed to ${name}`)
    act(() => sub.subject.next(makeResult(sub.op, { data })))
  }
  const count = (name: string) => calls.filter((c) => c.name === name).length
  return { client, calls, push, count, handlers }
}

/** A GraphQL error as the server sends it (`extra`: more extensions, e.g. retryAfter). */
export function serverError(
  code: string,
  message = code,
  field?: string,
  extra: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extra, ...(field ? { field } : {}), code } })
}
