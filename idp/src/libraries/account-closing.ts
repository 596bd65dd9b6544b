import { z } from 'zod'
import { deleteAccount } from '@opcommerce/shared/account-deletion'
import { formText, validateForm } from '@opcommerce/shared/forms'
import { enqueueMail } from '@opcommerce/shared/mail/outbox'
import { recordAudit } from '@opcommerce/shared/queries/audit'
import { createMembershipQueries } from '@opcommerce/shared/queries/memberships'
import { createPersonalDataQueries } from '@opcommerce/shared/queries/personal-data'
import { messages } from '../messages'
import { createEmailChangeQueries } from '../queries/email-changes'
import { createSessionActivityQueries } from '../queries/session-activity'
import type { AccountSessions, SignedInAccount } from './account-session'
import type { IdpDependencies } from './context'

const closingForm = z.object({ current_password: formText })

/** Everything the idp holds about a person (RGPD articles 15 and 20), as « Mes données » downloads it. */
export interface PersonalData {
  generatedAt: string
  account: { id: string; email: string; givenName: string; familyName: string; emailVerifiedAt: string | null; updatedAt: string }
  memberships: { siren: string; companyName: string; role: string; status: string; requestedAt: string; decidedAt: string | null }[]
  pendingEmailChange: { newEmail: string; requestedAt: string; expiresAt: string } | null
  sessions: { userAgent: string | null; ip: string | null; startedAt: string; lastSeenAt: string }[]
  auditEvents: { at: string; type: string; actor: string | null; subject: string | null; ip: string | null; details: Record<string, unknown> }[]
}

const iso = (date: Date | null) => (date ? new Date(date).toISOString() : null)

/** « Mes données » and « Fermer mon compte ». */
export function createAccountClosing({ config, db, limits, now }: IdpDependencies, accountSessions: AccountSessions) {
  return {
    /** The person's data, in a form a program can read again (JSON, article 20). */
    async personalData(account: SignedInAccount, ip: string): Promise<PersonalData> {
      await limits.accountChangesPerAccount.consume(account.user.id, messages.account.tooManyChanges)
      const { user } = account
      const [memberships, pending, sessions, events] = [
        await createMembershipQueries(db).allOf(user.id),
        await createEmailChangeQueries(db).pendingOf(user.id, now()),
        await createSessionActivityQueries(db).activeOf(user.id),
        await createPersonalDataQueries(db).auditEventsAbout(user.id, user.email),
      ]
      await recordAudit(db, { type: 'account.data_exported', actor: user.id, subject: user.id, ip })
      return {
        generatedAt: now().toISOString(),
        account: { id: user.id, email: user.email, givenName: user.givenName, familyName: user.familyName, emailVerifiedAt: iso(user.emailVerifiedAt), updatedAt: iso(user.updatedAt)! },
        memberships: memberships.map((membership) => ({
          siren: membership.siren,
          companyName: membership.companyName,
          role: membership.role,
          status: membership.status,
          requestedAt: iso(membership.requestedAt)!,
          decidedAt: iso(membership.decidedAt),
        })),
        pendingEmailChange: pending ? { newEmail: pending.newEmail, requestedAt: iso(pending.createdAt)!, expiresAt: iso(pending.expiresAt)! } : null,
        sessions: sessions.map((session) => ({ userAgent: session.userAgent, ip: session.ip, startedAt: iso(session.startedAt)!, lastSeenAt: iso(session.lastSeenAt)! })),
        auditEvents: events.map((event) => ({ ...event, at: iso(event.at)! })),
      }
    },

    /**
     * Closes the account, the password given (deleteAccount: refused while the person is the
     * only administrator of a company that has other members, the company named), and a last mail
     * confirms it.
     */
    async close(account: SignedInAccount, input: { current_password: string }, ip: string): Promise<void> {
      const form = validateForm(closingForm, input)
      await limits.accountChangesPerAccount.consume(account.user.id, messages.account.tooManyChanges)
      await accountSessions.confirmPassword(account, form.current_password, ip)
      const { user } = account
      await db.transaction(async (trx) => {
        const { pseudonym } = await deleteAccount(trx, user, ([company]) => messages.account.soleAdministrator(company!.name, company!.siren))
        await enqueueMail(trx, user.email, 'account_closed', { contactEmail: config.opcoContactEmail })
        await recordAudit(trx, { type: 'account.closed', actor: pseudonym, subject: pseudonym, ip })
      })
    },
  }
}

export type AccountClosing = ReturnType<typeof createAccountClosing>
