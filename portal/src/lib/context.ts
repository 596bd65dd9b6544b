import { loadConfig, type Config } from '@opcommerce/shared/config'
import { connectDatabase, locateDatabase } from '@opcommerce/shared/db/database'
import type { Knex } from '@opcommerce/shared/db/knex'
import { createLogger, type Logger } from '@opcommerce/shared/logger'
import { createClientQueries, type ClientQueries } from '@opcommerce/shared/queries/clients'
import { createMembershipRules, type MembershipRules, type MembershipRulesDependencies } from './memberships'
import { createPortalSessionStore, type PortalSessionStore } from './portal-sessions'

/** Everything the portal's pages and handlers use; built once per process, injected in tests. */
export interface PortalContext {
  config: Config
  db: Knex
  logger: Logger
  memberships: MembershipRules
  clients: ClientQueries
  sessions: PortalSessionStore
  now: () => Date
}

export function createPortalContext(options: { config: Config; db: Knex; logger: Logger; now?: () => Date; limits?: MembershipRulesDependencies['limits'] }): PortalContext {
  const { config, db, logger, now = () => new Date(), limits } = options
  return {
    config,
    db,
    logger,
    now,
    memberships: createMembershipRules({ config, db, logger, now, limits }),
    clients: createClientQueries(db),
    sessions: createPortalSessionStore({ db, config, now }),
  }
}

const globalCache = globalThis as typeof globalThis & { opcommercePortal?: Promise<PortalContext> }

/** The process's context; a failed start (database unreachable) is tried again at the next request. */
export function portalContext(): Promise<PortalContext> {
  globalCache.opcommercePortal ??= (async () => {
    const config = loadConfig()
    const db = await connectDatabase(await locateDatabase(config, { startEmbedded: false }))
    return createPortalContext({ config, db, logger: createLogger('portal', config.logLevel) })
  })().catch((error: unknown) => {
    globalCache.opcommercePortal = undefined
    throw error
  })
  return globalCache.opcommercePortal
}
