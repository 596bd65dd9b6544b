import '../node-version'
import { loadConfig } from '../config'
import { runMain } from '../process'
import { withMigratedDatabase } from './database'

runMain(async () => {
  const config = loadConfig()
  await withMigratedDatabase(config, async (db) => {
    const [completed] = (await db.migrate.list()) as [unknown[], unknown[]]
    const where = config.databaseUrl ? 'DATABASE_URL' : 'base embarquée'
    console.log(`Base de données à jour (${where}) : ${completed.length} migration(s) appliquée(s).`)
  })
})
