import type { Knex } from '@opcommerce/shared/db/knex'
import { BadRequestError, ConflictError } from '@opcommerce/shared/errors'
import { domainOf, isPublicMailDomain } from '@opcommerce/shared/email-domains'
import { formText } from '@opcommerce/shared/forms'
import { recordAudit } from '@opcommerce/shared/queries/audit'
import { createCompanyDomainQueries } from '@opcommerce/shared/queries/company-domains'
import type { UserProfile } from '@opcommerce/shared/users'
import { lockAsAdministrator } from './memberships'
import { messages } from './messages'

const domainField = formText.transform((domain) => domain.trim().toLowerCase())

/**
 * The company's trusted email domains (« Gérer les utilisateurs »): a user whose validated
 * address is on one of them, and who links the company with its code adhérent, becomes a member
 * at once (see linkCompany). An administrator can declare only the domain of their own validated
 * address, never a free-mail or disposable one; any administrator can withdraw one.
 */
export function createCompanyDomainRules({ db, now }: { db: Knex; now: () => Date }) {
  return {
    async declare(actor: UserProfile, siren: string, input: { domain: string }, ip: string): Promise<string> {
      const domain = domainField.parse(input.domain)
      return db.transaction(async (trx) => {
        await lockAsAdministrator(trx, actor, siren)
        if (domain !== domainOf(actor.email)) throw new BadRequestError(messages.domains.notYours)
        if (isPublicMailDomain(domain)) throw new BadRequestError(messages.domains.publicProvider(domain))
        if (!(await createCompanyDomainQueries(trx).add(siren, domain, actor.id, now()))) throw new ConflictError(messages.domains.alreadyDeclared(domain))
        await recordAudit(trx, { type: 'company.domain_added', actor: actor.id, subject: siren, ip, details: { domain } })
        return domain
      })
    },

    async withdraw(actor: UserProfile, siren: string, input: { domain: string }, ip: string): Promise<string> {
      const domain = domainField.parse(input.domain)
      return db.transaction(async (trx) => {
        await lockAsAdministrator(trx, actor, siren)
        if (!(await createCompanyDomainQueries(trx).remove(siren, domain))) throw new ConflictError(messages.domains.notDeclared(domain))
        await recordAudit(trx, { type: 'company.domain_removed', actor: actor.id, subject: siren, ip, details: { domain } })
        return domain
      })
    },
  }
}

export type CompanyDomainRules = ReturnType<typeof createCompanyDomainRules>
