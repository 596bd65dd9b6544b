import type Provider from 'oidc-provider'
import type { Knex } from '@opcommerce/shared/db/knex'
import type { Logger } from '@opcommerce/shared/logger'
import { createSessionActivityQueries, TOUCH_INTERVAL } from '../queries/session-activity'

/** Sessions remembered as just written, at most: past it the memory starts again (one write more each). */
const REMEMBERED_SESSIONS = 10_000

/**
 * Keeps what « Mon compte » lists of each SSO session (browser, address, start, last activity):
 * at each authorization it answers (a login or single sign-on), and at each refresh of tokens
 * issued under it. One small write at most once a minute per session, off the response's path;
 * a refresh under a session this process wrote less than a minute ago does not even ask the
 * database (a code exchange follows its login by a second), so the last activity shown may lag by
 * up to two minutes.
 */
export function recordSessionActivity(provider: Provider, db: Knex, logger: Logger): void {
  const activity = createSessionActivityQueries(db)
  const writtenAt = new Map<string, number>() // session uid → performance.now() of this process's last write
  const remember = (uid: string) => {
    if (writtenAt.size >= REMEMBERED_SESSIONS) writtenAt.clear()
    writtenAt.set(uid, performance.now())
  }
  // A write that failed is tried again at the session's next use.
  const failedFor = (uid: string) => (error: unknown) => {
    writtenAt.delete(uid)
    logger.error({ err: error }, 'session activity not recorded')
  }
  provider.on('authorization.success', (ctx) => {
    const session = ctx.oidc.session
    if (!session?.accountId) return
    remember(session.uid)
    activity.touch({ uid: session.uid, userId: session.accountId, userAgent: ctx.get('user-agent'), ip: ctx.ip }).catch(failedFor(session.uid))
  })
  provider.on('grant.success', (ctx) => {
    const sessionUid = ctx.oidc.entities.RefreshToken?.sessionUid
    if (!sessionUid || performance.now() - (writtenAt.get(sessionUid) ?? -Infinity) < TOUCH_INTERVAL * 1000) return
    remember(sessionUid)
    activity.touchLastSeen(sessionUid).catch(failedFor(sessionUid))
  })
}
