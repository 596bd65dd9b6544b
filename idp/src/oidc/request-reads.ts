import Provider from 'oidc-provider'

type Reads = Map<string, Promise<unknown>>
const readsOfRequest = new WeakMap<object, Reads>()

/**
 * What the protocol request being served already read from the database, by key (`AccessToken:…`,
 * `Session:uid:…`, `Grant:…`, `User:…`, `Account:…`): a token comes with its session, grant and
 * user, which oidc-provider asks for right after. Kept for that request only (oidc-provider's
 * request context), and emptied by any write through the adapter. Outside a request of
 * oidc-provider's (our interaction routes, the logout sender) there is none.
 */
export function requestReads(): Reads | undefined {
  const ctx = Provider.ctx
  if (!ctx) return undefined
  const reads = readsOfRequest.get(ctx) ?? new Map<string, Promise<unknown>>()
  readsOfRequest.set(ctx, reads)
  return reads
}

export function forgetRequestReads(): void {
  const ctx = Provider.ctx
  if (ctx) readsOfRequest.get(ctx)?.clear()
}
