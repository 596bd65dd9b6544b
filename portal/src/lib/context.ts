import type { Config } from '@opcommerce/shared/config'
import type { Knex } from '@opcommerce/shared/db/knex'
import type { Logger } from '@opcommerce/shared/logger'
import { createClientQueries, type ClientQueries } from '@opcommerce/shared/queries/clients'
import { createCompanyDomainRules, type CompanyDomainRules } from './company-domains'
import { createInvitationRules, type InvitationRules, type InvitationRulesDependencies } from './invitations'
import { createMembershipRules, type MembershipRules, type MembershipRulesDependencies } from './memberships'
import { createPortalSessionStore, type PortalSessionStore } from './portal-sessions'
import { portalRuntime } from './runtime'
import { createTwoFactorRequirementRules, type TwoFactorRequirementRules } from './two-factor-requirement'

/** Everything the portal's pages and handlers use; built once per process, injected in tests. */
export interface PortalContext {
  config: Config
  db: Knex
  logger: Logger
  memberships: MembershipRules
  invitations: InvitationRules
  domains: CompanyDomainRules
  twoFactor: TwoFactorRequirementRules
  clients: ClientQueries
  sessions: PortalSessionStore
  now: () => Date
}

export function createPortalContext(options: {
  config: Config
  db: Knex
  logger: Logger
  now?: () => Date
  limits?: MembershipRulesDependencies['limits'] & InvitationRulesDependencies['limits']
}): PortalContext {
  const { config, db, logger, now = () => new Date(), limits = {} } = options
  return {
    config,
    db,
    logger,
    now,
    memberships: createMembershipRules({ config, db, logger, now, limits }),
    invitations: createInvitationRules({ config, db, now, limits }),
    domains: createCompanyDomainRules({ db, now }),
    twoFactor: createTwoFactorRequirementRules({ db }),
    clients: createClientQueries(db),
    sessions: createPortalSessionStore({ db, config, now }),
  }
}

const globalCache = globalThis as typeof globalThis & { opcommercePortal?: Promise<PortalContext> }

/** The process's context, on the process's runtime; a failed start is tried again at the next request. */
export function portalContext(): Promise<PortalContext> {
  globalCache.opcommercePortal ??= portalRuntime()
    .then((runtime) => createPortalContext(runtime))
    .catch((error: unknown) => {
      globalCache.opcommercePortal = undefined
      throw error
    })
  return globalCache.opcommercePortal
}
