import { createHash } from 'node:crypto'
import type { Context, Middleware, Next } from 'koa'
import type Provider from 'oidc-provider'
import { z } from 'zod'
import type { Config } from '@opcommerce/shared/config'
import { randomToken } from '@opcommerce/shared/crypto'
import { BadRequestError, UnauthorizedError } from '@opcommerce/shared/errors'
import { loggedInRecently, type AccountSessions, type SignedInAccount } from '../libraries/account-session'
import { messages } from '../messages'
import { ACCOUNT_CALLBACK_PATH, ACCOUNT_CLIENT_ID } from '../oidc/provider'

/**
 * How the pages under /compte know who is there: the idp's own SSO session (oidc-provider's
 * `Session`, read from its cookie). A visitor without one is sent through an authorization
 * request of the `mon-compte` client — the same login every application gets — and comes back
 * to the page asked for. See docs/ARCHITECTURE.md (« Mon compte »).
 */

const COOKIE = 'idp_account_login'

/** The signed cookie that ties a sign-in to this browser and says where to come back to. */
const pendingSchema = z.object({ state: z.string(), returnTo: z.string() })

/** A page of « Mon compte » to come back to: only a path under /compte, never another site. */
const accountPath = (path: string | undefined) => (path && /^\/compte(?:[/?]|$)/u.test(path) && !path.startsWith('//') ? path : '/compte')

export interface AccountSessionDependencies {
  config: Config
  readonly provider: Provider
  accountSessions: AccountSessions
}

/** The person signed in to the idp in this browser, or undefined (no SSO session, or a user who no longer exists). */
export async function readSignedInAccount(ctx: Context, deps: AccountSessionDependencies): Promise<SignedInAccount | undefined> {
  const session = await deps.provider.Session.get(ctx as never)
  if (!session.accountId || !session.uid) return undefined
  const user = await deps.accountSessions.signedInUser(session.accountId)
  if (!user) return undefined
  return { user, sessionUid: session.uid, authTime: session.authTime() ?? 0 }
}

/**
 * Sends the browser through the idp's login and back to `returnTo` (a path under /compte).
 * `fresh` asks for the password again even within an SSO session (`prompt=login`): the way to
 * make a sign-in recent before a sensitive action.
 */
export function startAccountSignIn(ctx: Context, deps: AccountSessionDependencies, options: { returnTo?: string; fresh?: boolean } = {}): void {
  const state = randomToken()
  const pending = { state, returnTo: accountPath(options.returnTo) }
  ctx.cookies.set(COOKIE, Buffer.from(JSON.stringify(pending)).toString('base64url'), {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.secure,
    maxAge: 60 * 60 * 1000, // milliseconds: as long as the provider's interaction
    overwrite: true,
  })
  const query = new URLSearchParams({
    client_id: ACCOUNT_CLIENT_ID,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: `${deps.config.idp.issuer}${ACCOUNT_CALLBACK_PATH}`,
    state,
    // PKCE is required of every client; this one never redeems its code (see finishAccountSignIn).
    code_challenge: createHash('sha256').update(randomToken()).digest('base64url'),
    code_challenge_method: 'S256',
    ...(options.fresh ? { prompt: 'login' } : {}),
  })
  ctx.set('Cache-Control', 'no-store')
  ctx.redirect(`/auth?${query}`)
}

/**
 * The end of a sign-in: the SSO session now exists (the provider set its cookie while
 * redirecting here). The state must be the one this browser started with; the code, which only
 * proved it, is destroyed. Answers with the page to go back to.
 */
export async function finishAccountSignIn(ctx: Context, deps: AccountSessionDependencies): Promise<string> {
  const raw = ctx.cookies.get(COOKIE, { signed: true })
  ctx.cookies.set(COOKIE, null, { signed: true, overwrite: true })
  let pending: z.infer<typeof pendingSchema> | undefined
  try {
    pending = raw ? pendingSchema.parse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'))) : undefined
  } catch {
    pending = undefined
  }
  if (!pending || typeof ctx.query.state !== 'string' || ctx.query.state !== pending.state) throw new BadRequestError(messages.account.signInExpired)
  if (typeof ctx.query.code !== 'string') throw new BadRequestError(messages.account.signInExpired)
  const code = await deps.provider.AuthorizationCode.find(ctx.query.code)
  if (code?.clientId === ACCOUNT_CLIENT_ID) await code.destroy()
  return pending.returnTo
}

/**
 * Route middleware of every page of « Mon compte »: puts the signed-in person in
 * `ctx.state.account` (read it with `accountOf`), or sends a visitor through the login, back to
 * the page asked for (a form posted without a session comes back to its page, /compte).
 */
export function requireSignedIn(deps: AccountSessionDependencies): Middleware {
  return async (ctx: Context, next: Next) => {
    const account = await readSignedInAccount(ctx, deps)
    ctx.set('Cache-Control', 'no-store')
    if (!account) return startAccountSignIn(ctx, deps, { returnTo: ctx.method === 'GET' ? ctx.originalUrl : '/compte' })
    ctx.state.account = account
    await next()
  }
}

/** The person `requireSignedIn` found; only call it behind that middleware. */
export function accountOf(ctx: Context): SignedInAccount {
  const account = ctx.state.account as SignedInAccount | undefined
  if (!account) throw new UnauthorizedError()
  return account
}

/**
 * For a sensitive page or action that needs a login of the last few minutes rather than the
 * password typed again (RECENT_LOGIN_SECONDS): true when it is recent; otherwise a GET is sent
 * through the login again (`prompt=login`) and back, a POST is refused (401), and false.
 */
export function requireRecentLogin(ctx: Context, deps: AccountSessionDependencies, now: Date): boolean {
  if (loggedInRecently(accountOf(ctx), now)) return true
  if (ctx.method !== 'GET') throw new UnauthorizedError(messages.account.loginAgain)
  startAccountSignIn(ctx, deps, { returnTo: ctx.originalUrl, fresh: true })
  return false
}
