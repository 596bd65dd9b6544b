import '../node-version'
import { loadConfig } from '../config'
import { registerPortalClient } from '../platform-clients'
import { runMain } from '../process'
import { withMigratedDatabase } from './database'

/** `npm run migrate`: every table up to date, and the portal registered as the idp's client. */
runMain(async () => {
  const config = loadConfig()
  await withMigratedDatabase(config, async (db) => {
    const [completed] = (await db.migrate.list()) as [unknown[], unknown[]]
    const where = config.databaseUrl ? 'DATABASE_URL' : 'base embarquée'
    console.log(`Base de données à jour (${where}) : ${completed.length} migration(s) appliquée(s).`)
    const portal = await registerPortalClient(db, config)
    console.log(`Client « ${portal.clientId} » enregistré pour ${config.portal.url} (retour : ${portal.metadata.redirect_uris.join(', ')}).`)
  })
})
