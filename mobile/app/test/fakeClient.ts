import { Client, makeErrorResult, makeResult, type Exchange, type Operation, type OperationResult } from "@urql/core"
import { GraphQLError, Kind, type OperationDefinitionNode } from "graphql"
import { filter, fromValue, makeSubject, mergeMap, never, pipe, type Source } from "wonka"

/** A reply that never comes, as on a slow network: the request stays in flight. */
export const STALL = Symbol("stall")

type Reply = Record<string, unknown> | Error | typeof STALL
type Handler = (variables: Record<string, unknown>) => Reply
type Subject = ReturnType<typeof makeSubject<OperationResult>>

/**
 * A real urql Client whose only exchange answers from handlers keyed by operation name (a network
 * Error or GraphQLError, or data). Subscriptions stay open; the test pushes their events.
 */
export function fakeClient(handlers: Record<string, Handler>) {
  const subscriptions = new Map<string, { op: Operation; subject: Subject }>()
  const calls: { name: string; variables: Record<string, unknown> }[] = []

  const answer = (op: Operation): Source<OperationResult> => {
    const name = (op.query.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode)
      .name!.value
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
    if (reply === STALL) return never
    // As the server answers an error on a non-null root field: `"data": null` beside the errors.
    const result =
      reply instanceof GraphQLError
        ? makeResult(op, { data: null, errors: [reply] })
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
    sub.subject.next(makeResult(sub.op, { data }))
  }
  /** End the subscription `name` with an error (with `code`: as the server ends it, e.g. UNAUTHENTICATED). */
  const fail = (name: string, message: string, code?: string) => {
    const sub = subscriptions.get(name)
    if (!sub) throw new Error(`nobody subscribed to ${name}`)
    const error = code ? serverError(code, message) : new GraphQLError(message)
    sub.subject.next(makeResult(sub.op, { errors: [error] }))
  }
  return { client, calls, push, fail }
}

/** A GraphQL error as the server sends it. */
export function serverError(code: string, message = code): GraphQLError {
  return new GraphQLError(message, { extensions: { code } })
}
