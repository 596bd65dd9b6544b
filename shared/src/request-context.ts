import { AsyncLocalStorage } from 'node:async_hooks'
import { randomUUID } from 'node:crypto'

interface RequestContext {
  requestId: string
}

/**
 * The request a log line belongs to, without passing it down every call. Kept on globalThis: a
 * bundler (Next.js) may load this module twice in one process, and both copies must share it.
 */
const storage: AsyncLocalStorage<RequestContext> = ((globalThis as Record<symbol, unknown>)[Symbol.for('opcommerce.request-context')] ??=
  new AsyncLocalStorage<RequestContext>()) as AsyncLocalStorage<RequestContext>

/** What a trusted proxy may hand us as a request id: a short token, nothing a log reader could trip on. */
const REQUEST_ID = /^[\w.:-]{1,100}$/u

/**
 * The id of a request: the proxy's X-Request-Id when TRUST_PROXY says a proxy stands in front
 * (it set the header itself) and the value is a short token; a fresh one otherwise, since a
 * client could send anything.
 */
export function requestIdFrom(header: string | string[] | undefined, trustProxy: boolean): string {
  const given = Array.isArray(header) ? header[0] : header
  return trustProxy && given && REQUEST_ID.test(given) ? given : randomUUID()
}

export function runWithRequestId<T>(requestId: string, work: () => T): T {
  return storage.run({ requestId }, work)
}

/** The id of the request being served, for log lines. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId
}
