import type { Knex } from '@opcommerce/shared/db/knex'
import { BadRequestError, ConflictError } from '@opcommerce/shared/errors'
import { recordAudit } from '@opcommerce/shared/queries/audit'
import { createSecondFactorQueries } from '@opcommerce/shared/queries/second-factors'
import type { UserProfile } from '@opcommerce/shared/users'
import { lockAsAdministrator } from './memberships'
import { messages } from './messages'

/**
 * Whether a company requires a second factor of its members (« Gérer les utilisateurs »). A
 * member without one is asked to configure it at their next login, and until then the idp leaves
 * the company out of their `companies` claim (idp/src/oidc/accounts.ts). An administrator turns it
 * on only once they have a second factor themselves.
 */
export function createTwoFactorRequirementRules({ db }: { db: Knex }) {
  return {
    async set(actor: UserProfile, siren: string, required: boolean, ip: string): Promise<string> {
      return db.transaction(async (trx) => {
        const company = await lockAsAdministrator(trx, actor, siren)
        const factors = createSecondFactorQueries(trx)
        if (required) {
          const own = await factors.of(actor.id)
          if (!own.totp && own.passkeys === 0) throw new BadRequestError(messages.twoFactor.adminFirst)
        }
        if (!(await factors.setCompanyRequirement(siren, required))) throw new ConflictError(messages.twoFactor.unchanged)
        await recordAudit(trx, { type: required ? 'company.two_factor_required' : 'company.two_factor_not_required', actor: actor.id, subject: siren, ip })
        return required ? messages.twoFactor.required(company.name) : messages.twoFactor.notRequired(company.name)
      })
    },
  }
}

export type TwoFactorRequirementRules = ReturnType<typeof createTwoFactorRequirementRules>
