import type { Config } from '@opcommerce/shared/config'
import type { Knex } from '@opcommerce/shared/db/knex'
import type { Logger } from '@opcommerce/shared/logger'
import type { IdpLimits } from './limits'

/** What the idp's libraries need: injected, so tests control the clock. */
export interface IdpDependencies {
  config: Config
  db: Knex
  logger: Logger
  limits: IdpLimits
  now: () => Date
}
