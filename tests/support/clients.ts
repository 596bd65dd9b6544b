import { buildClient, type ClientRegistration } from '@opcommerce/shared/clients'
import type { Knex } from '@opcommerce/shared/db/knex'
import { createClientQueries } from '@opcommerce/shared/queries/clients'

/** Registers a client exactly as `npm run cli -- clients create` does. */
export async function registerClient(db: Knex, registration: ClientRegistration): Promise<void> {
  await createClientQueries(db).save(buildClient(registration).client)
}
