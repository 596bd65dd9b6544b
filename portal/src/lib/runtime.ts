import { loadConfig, type Config } from '@opcommerce/shared/config'
import { connectDatabase, locateDatabase } from '@opcommerce/shared/db/database'
import type { Knex } from '@opcommerce/shared/db/knex'
import { createLogger, type Logger } from '@opcommerce/shared/logger'

/** What a portal process holds once: its configuration, its logger and its database pool. */
export interface PortalRuntime {
  config: Config
  db: Knex
  logger: Logger
}

/**
 * Kept on globalThis: the server (server.ts) and the pages, which Next.js bundles apart, share
 * one pool. A failed start (database unreachable) is tried again at the next call.
 */
const globalCache = globalThis as typeof globalThis & { opcommercePortalRuntime?: Promise<PortalRuntime> }

export function portalRuntime(): Promise<PortalRuntime> {
  globalCache.opcommercePortalRuntime ??= (async () => {
    const config = loadConfig()
    const db = await connectDatabase(await locateDatabase(config, { startEmbedded: false }))
    return { config, db, logger: createLogger('portal', config.logLevel) }
  })().catch((error: unknown) => {
    globalCache.opcommercePortalRuntime = undefined
    throw error
  })
  return globalCache.opcommercePortalRuntime
}
