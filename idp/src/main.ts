import '@opcommerce/shared/node-version'
import './thread-pool'
import { createServer } from 'node:http'
import { loadConfig } from '@opcommerce/shared/config'
import { connectDatabase, locateDatabase } from '@opcommerce/shared/db/database'
import { assertMigrated } from '@opcommerce/shared/db/migration-status'
import { stopGracefully } from '@opcommerce/shared/health'
import { createLogger } from '@opcommerce/shared/logger'
import { createSmtpTransport, MailSender } from '@opcommerce/shared/mail/sender'
import { observeDatabasePool, startMetricsServer } from '@opcommerce/shared/metrics'
import { listen, runMain } from '@opcommerce/shared/process'
import { createIdpApp } from './app'
import { scheduleCleanUp } from './maintenance'
import { observeOutbox } from './metrics'
import { LogoutSender } from './oidc/logout-sender'

runMain(async () => {
  const config = loadConfig()
  const logger = createLogger('idp', config.logLevel)
  const db = await connectDatabase(await locateDatabase(config, { startEmbedded: false }))
  await assertMigrated(db)
  const idp = await createIdpApp({ config, db, logger })
  const server = createServer(idp.app.callback())
  await listen(server, config.idp.port, 'IDP_PORT')
  observeDatabasePool(db)
  observeOutbox(db, logger)
  const metricsServer = await startMetricsServer({ ...config.metrics, port: config.idp.metricsPort }, 'IDP_METRICS_PORT')
  const sender = new MailSender({
    db,
    transport: createSmtpTransport(config.smtpUrl),
    from: config.mailFrom,
    logger,
    pollIntervalMs: config.mailPollIntervalMs,
  })
  sender.start()
  const logoutSender = new LogoutSender({ db, provider: () => idp.provider, logger, pollIntervalMs: config.mailPollIntervalMs })
  logoutSender.start()
  const stopCleanUp = scheduleCleanUp(db, logger)
  // Picks up `npm run cli -- keys rotate|retire` from any process, without a restart.
  const keyReload = setInterval(() => idp.reloadKeys().catch((error: unknown) => logger.error({ err: error }, 'signing keys reload failed')), config.keyReloadIntervalMs)
  logger.info({ issuer: config.idp.issuer, metrics: `http://${config.metrics.host}:${config.idp.metricsPort}/metrics` }, 'idp ready')
  stopGracefully({
    health: idp.health,
    server,
    shutdown: config.shutdown,
    logger,
    async release() {
      clearInterval(keyReload)
      stopCleanUp()
      metricsServer.close()
      await sender.stop()
      await logoutSender.stop()
      await idp.close()
      await db.destroy()
    },
  })
})
