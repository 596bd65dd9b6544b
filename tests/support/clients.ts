import { buildClient, type ClientRegistration } from '@opcommerce/shared/clients'
import type { Knex } from '@opcommerce/shared/db/knex'
import { createClientQueries } from '@opcommerce/shared/queries/clients'
import { TEST_SECRETS } from './idp'

/** Registers a client exactly as `npm run cli -- clients create` does, with the test services' key. */
export async function registerClient(db: Knex, registration: ClientRegistration): Promise<void> {
  await createClientQueries(db).save(buildClient(registration, TEST_SECRETS.SIGNING_KEYS_SECRET).client)
}
