import type { Config } from './config'
import type { Knex } from './db/knex'
import { ConflictError, NotFoundError } from './errors'
import { enqueueMail } from './mail/outbox'
import { fileLink, type LinkOutcome } from './memberships'
import { createAuditQueries, recordAudit } from './queries/audit'
import { createCompanyQueries } from './queries/companies'
import { createHeldRequestQueries, type HeldRequestForOperators } from './queries/held-requests'
import { createUserQueries } from './queries/users'

/** A company under protection, as `companies under-attack` lists it. */
export interface ProtectedCompany {
  siren: string
  name: string | null
  since: Date
  until: Date
  wrongCodes: number
  heldRequests: number
}

/**
 * The operators' side of the protection of codes adhérent (docs/SECURITY.md): which companies
 * are under protection, which requests wait for them, and their decisions. A confirmed request
 * goes through the rules a right code follows (fileLink); the requester is mailed either way.
 */
export function createHeldRequestDesk({ config, db }: { config: Config; db: Knex }) {
  /** The open held request of the user with this email for the company, locked; refused when there is none. */
  async function openRequest(trx: Knex.Transaction, email: string, siren: string) {
    const user = await createUserQueries(trx).findByEmail(email)
    const request = user && (await createHeldRequestQueries(trx).lockOpen(user.id, siren))
    if (!user || !request) throw new NotFoundError(`Aucune demande en attente de vérification pour ${email} et le Siren ${siren}.`)
    return { user, request }
  }

  return {
    async underProtection(now: Date): Promise<ProtectedCompany[]> {
      const audit = createAuditQueries(db)
      const held = await createHeldRequestQueries(db).countOpenBySiren()
      const companies = createCompanyQueries(db)
      const result: ProtectedCompany[] = []
      for (const { siren, since, until } of await audit.companiesUnderProtection(now)) {
        const dayBefore = new Date(since.getTime() - 24 * 3600_000)
        result.push({ siren, name: (await companies.find(siren))?.name ?? null, since, until, wrongCodes: await audit.countWrongCodes(siren, dayBefore), heldRequests: held.get(siren) ?? 0 })
      }
      return result
    },

    pending(): Promise<HeldRequestForOperators[]> {
      return createHeldRequestQueries(db).openForOperators()
    },

    /** The operator checked with the company that this person works there: the request is filed as a right code would have. */
    async confirm(email: string, siren: string, operator: string, now: Date): Promise<LinkOutcome> {
      return db.transaction(async (trx) => {
        const company = await createCompanyQueries(trx).lock(siren)
        const { user, request } = await openRequest(trx, email, siren)
        if (!company || !request.codeMatched) throw new ConflictError("Le code adhérent saisi n'était pas le bon : cette demande ne peut qu'être refusée (memberships reject).")
        const outcome = await fileLink(trx, config, { company, user, at: now, ip: null, actor: operator })
        await createHeldRequestQueries(trx).decide(request.id, 'confirmed', operator, now)
        await enqueueMail(trx, user.email, 'held_request_confirmed', { companyName: company.name, siren, portalUrl: `${config.portal.url}/entreprises/ajouter`, outcome })
        await recordAudit(trx, { type: 'company.held_request_confirmed', actor: operator, subject: siren, details: { user: user.id, outcome } })
        return outcome
      })
    },

    async reject(email: string, siren: string, operator: string, now: Date): Promise<void> {
      await db.transaction(async (trx) => {
        const { user, request } = await openRequest(trx, email, siren)
        await createHeldRequestQueries(trx).decide(request.id, 'rejected', operator, now)
        await enqueueMail(trx, user.email, 'held_request_rejected', { siren })
        await recordAudit(trx, { type: 'company.held_request_rejected', actor: operator, subject: siren, details: { user: user.id } })
      })
    },
  }
}
