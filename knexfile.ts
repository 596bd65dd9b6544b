/**
 * For the knex command line (`npx knex --knexfile knexfile.ts …`, run with tsx). The product
 * itself migrates with `npm run migrate`, and `npm start` does it on every start.
 * With DATABASE_URL: that server; without, the embedded database `npm start` is serving.
 */
import { loadConfig } from '@opcommerce/shared/config'
import { locateDatabase } from '@opcommerce/shared/db/database'
import { knexConfig } from '@opcommerce/shared/db/knex'

export default async function knexfile() {
  return knexConfig((await locateDatabase(loadConfig(), { startEmbedded: false })).url)
}
