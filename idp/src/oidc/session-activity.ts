import type Provider from 'oidc-provider'
import type { Knex } from '@opcommerce/shared/db/knex'
import type { Logger } from '@opcommerce/shared/logger'
import { createSessionActivityQueries } from '../queries/session-activity'

/**
 * Keeps what « Mon compte » lists of each SSO session (browser, address, start, last activity):
 * at each authorization it answers (a login or single sign-on), and at each refresh of tokens
 * issued under it. One small write at most once a minute per session, off the response's path.
 */
export function recordSessionActivity(provider: Provider, db: Knex, logger: Logger): void {
  const activity = createSessionActivityQueries(db)
  const failed = (error: unknown) => logger.error({ err: error }, 'session activity not recorded')
  provider.on('authorization.success', (ctx) => {
    const session = ctx.oidc.session
    if (!session?.accountId) return
    activity.touch({ uid: session.uid, userId: session.accountId, userAgent: ctx.get('user-agent'), ip: ctx.ip }).catch(failed)
  })
  provider.on('grant.success', (ctx) => {
    const sessionUid = ctx.oidc.entities.RefreshToken?.sessionUid
    if (sessionUid) activity.touchLastSeen(sessionUid).catch(failed)
  })
}
