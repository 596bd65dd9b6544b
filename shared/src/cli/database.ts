import type { Config } from '../config'
import { connectDatabase, locateDatabase } from '../db/database'
import type { Knex } from '../db/knex'

/**
 * The database of a command-line tool, migrated: the one `npm start` serves when it runs,
 * else the embedded one opened for the command's duration, or DATABASE_URL.
 */
export async function withMigratedDatabase<T>(config: Config, work: (db: Knex) => Promise<T>): Promise<T> {
  const location = await locateDatabase(config, { startEmbedded: true })
  try {
    const db = await connectDatabase(location)
    try {
      await db.migrate.latest()
      return await work(db)
    } finally {
      await db.destroy()
    }
  } finally {
    await location.release()
  }
}
