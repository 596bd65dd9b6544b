import { z } from 'zod'
import { randomToken, sha256 } from '@opcommerce/shared/crypto'
import { ValidationError } from '@opcommerce/shared/errors'
import { formText, validateForm } from '@opcommerce/shared/forms'
import { enqueueMail } from '@opcommerce/shared/mail/outbox'
import { recordAudit } from '@opcommerce/shared/queries/audit'
import { createUserQueries } from '@opcommerce/shared/queries/users'
import { endSessionsOf } from '@opcommerce/shared/sessions'
import { messages } from '../messages'
import { createEmailChangeQueries, type EmailChange } from '../queries/email-changes'
import type { AccountSessions, SignedInAccount } from './account-session'
import type { IdpDependencies } from './context'
import { emailAddress } from './emails'
import type { LinkProblem } from './email-tokens'

const VALIDATION_TTL = 24 * 3600_000 // milliseconds: the link mailed to the new address
const CANCEL_TTL = 7 * 24 * 3600_000 // milliseconds: the link mailed to the old address, which also undoes a validated change

/** « Adresse email »: the new address, and the password. */
const emailChangeForm = z.object({ email: emailAddress, current_password: formText })

/** What a link of an email change leads to. */
export type EmailChangeLink = { status: 'valid'; change: EmailChange } | { status: LinkProblem }

/** What opening the validation link did. */
export type EmailChangeValidation = { status: 'validated'; email: string } | { status: LinkProblem | 'taken' }

/** What opening the cancel link did: `undone` when the change had been validated (the old address is back, every session ended). */
export type EmailChangeCancellation = { status: 'cancelled' | 'undone'; email: string } | { status: LinkProblem }

const isLinkSecret = (token: string) => /^[\w-]{43}$/u.test(token)

/**
 * Changing the address one logs in with. The `email` claim changes only once the new address
 * has been proven by its link; the old address is told, and can cancel (or undo) the change.
 * An address that already has an account gets the same answer as any other (its owner is
 * mailed instead), so the form does not reveal who has an account.
 */
export function createEmailChange({ config, db, limits, now }: IdpDependencies, accountSessions: AccountSessions) {
  /** What the link `token` names in `column`, whatever state it is in. */
  async function linkState(column: 'token_hash' | 'cancel_token_hash', token: string): Promise<EmailChangeLink> {
    const change = isLinkSecret(token) ? await createEmailChangeQueries(db).findByTokenHash(column, sha256(token)) : undefined
    if (!change) return { status: 'unknown' }
    if (change.cancelledAt || (column === 'token_hash' && change.validatedAt)) return { status: 'used' }
    if ((column === 'token_hash' ? change.expiresAt : change.cancelExpiresAt) <= now()) return { status: 'expired' }
    return { status: 'valid', change }
  }

  return {
    /** The change waiting for its validation link, shown on the page. */
    pendingOf: (account: SignedInAccount) => createEmailChangeQueries(db).pendingOf(account.user.id, now()),

    /**
     * Asks for a change to `email`, the password given: the validation link goes to the new
     * address, a notice with a cancel link to the current one. Same answer when the new address
     * belongs to someone else: its owner gets a notice instead, nothing changes.
     */
    async request(account: SignedInAccount, input: { email: string; current_password: string }, ip: string): Promise<string> {
      const form = validateForm(emailChangeForm, input)
      if (form.email === account.user.email.toLowerCase()) throw new ValidationError({ email: [messages.account.sameEmail] })
      await limits.emailChangesPerAccount.consume(account.user.id, messages.account.tooManyEmailChanges)
      await accountSessions.confirmPassword(account, form.current_password, ip)
      const owner = await createUserQueries(db).findByEmail(form.email)
      if (owner) {
        // Taken now or later, the address changes only through its own link (validate checks again).
        if ((await limits.emailChangeNoticesPerAddress.take(form.email)).allowed) {
          await enqueueMail(db, owner.email, 'email_change_address_taken', { resetUrl: `${config.idp.issuer}/mot-de-passe-oublie` })
        }
        await recordAudit(db, { type: 'account.email_change_to_taken_address', actor: account.user.id, subject: account.user.id, ip })
        return form.email
      }
      await db.transaction(async (trx) => {
        const token = randomToken()
        const cancelToken = randomToken()
        const at = now()
        await createEmailChangeQueries(trx).replacePending({
          userId: account.user.id,
          oldEmail: account.user.email,
          newEmail: form.email,
          tokenHash: sha256(token),
          cancelTokenHash: sha256(cancelToken),
          createdAt: at,
          expiresAt: new Date(at.getTime() + VALIDATION_TTL),
          cancelExpiresAt: new Date(at.getTime() + CANCEL_TTL),
        })
        await enqueueMail(trx, form.email, 'email_change_validation', { link: `${config.idp.issuer}/adresse-email/${token}` })
        await enqueueMail(trx, account.user.email, 'email_change_requested', { newEmail: form.email, cancelLink: `${config.idp.issuer}/adresse-email/annulation/${cancelToken}` })
        await recordAudit(trx, { type: 'account.email_change_requested', actor: account.user.id, subject: account.user.id, ip })
      })
      return form.email
    },

    validationLinkState: (token: string) => linkState('token_hash', token),
    cancelLinkState: (token: string) => linkState('cancel_token_hash', token),

    /**
     * The new address proven: it becomes the account's (and its `email` claim). Single use; of two
     * changes to one address, or a registration of it, the first wins (unique index) and the
     * other is told the address is taken.
     */
    async validate(token: string, ip: string): Promise<EmailChangeValidation> {
      const check = await linkState('token_hash', token)
      if (check.status !== 'valid') return check
      return db.transaction(async (trx) => {
        const changes = createEmailChangeQueries(trx)
        const change = await changes.lockByTokenHash('token_hash', sha256(token))
        if (!change || change.validatedAt || change.cancelledAt) return { status: 'used' as const }
        if (!(await createUserQueries(trx).updateEmail(change.userId, change.newEmail, now()))) {
          await changes.markCancelled(change.id, now())
          return { status: 'taken' as const }
        }
        await changes.markValidated(change.id, now())
        await recordAudit(trx, { type: 'account.email_changed', actor: change.userId, subject: change.userId, ip })
        return { status: 'validated' as const, email: change.newEmail }
      })
    },

    /**
     * The old address says no: a pending change is cancelled; a validated one is undone (the old
     * address is back, every session and token ends: whoever changed it knew the password).
     */
    async cancel(token: string, ip: string): Promise<EmailChangeCancellation> {
      const check = await linkState('cancel_token_hash', token)
      if (check.status !== 'valid') return check
      return db.transaction(async (trx) => {
        const changes = createEmailChangeQueries(trx)
        const change = await changes.lockByTokenHash('cancel_token_hash', sha256(token))
        if (!change || change.cancelledAt) return { status: 'used' as const }
        await changes.markCancelled(change.id, now())
        const user = await createUserQueries(trx).findById(change.userId)
        const undo = change.validatedAt && user?.email === change.newEmail
        if (undo && (await createUserQueries(trx).updateEmail(change.userId, change.oldEmail, now()))) {
          await endSessionsOf(trx, change.userId)
          await recordAudit(trx, { type: 'account.email_change_undone', actor: null, subject: change.userId, ip })
          return { status: 'undone' as const, email: change.oldEmail }
        }
        await recordAudit(trx, { type: 'account.email_change_cancelled', actor: null, subject: change.userId, ip })
        return { status: 'cancelled' as const, email: change.oldEmail }
      })
    },
  }
}

export type EmailChangeLibrary = ReturnType<typeof createEmailChange>
