import { createServer } from 'node:http'
import { loadConfig } from '@opcommerce/shared/config'
import { connectDatabase, locateDatabase } from '@opcommerce/shared/db/database'
import { createLogger } from '@opcommerce/shared/logger'
import { createSmtpTransport, MailSender } from '@opcommerce/shared/mail/sender'
import { listen, onShutdown, runMain } from '@opcommerce/shared/process'
import { createIdpApp } from './app'
import { scheduleCleanUp } from './maintenance'
import { LogoutSender } from './oidc/logout-sender'

const KEY_RELOAD_INTERVAL = 60_000 // milliseconds; well under KEY_PUBLICATION_DELAY

runMain(async () => {
  const config = loadConfig()
  const logger = createLogger('idp', config.logLevel)
  const db = await connectDatabase(await locateDatabase(config, { startEmbedded: false }))
  const idp = await createIdpApp({ config, db, logger })
  const server = createServer(idp.app.callback())
  await listen(server, config.idp.port, 'IDP_PORT')
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
  const keyReload = setInterval(() => idp.reloadKeys().catch((error: unknown) => logger.error({ err: error }, 'signing keys reload failed')), KEY_RELOAD_INTERVAL)
  logger.info({ issuer: config.idp.issuer }, 'idp ready')
  onShutdown(async () => {
    clearInterval(keyReload)
    stopCleanUp()
    await new Promise((resolve) => server.close(resolve))
    await sender.stop()
    await logoutSender.stop()
    await db.destroy()
  })
})
