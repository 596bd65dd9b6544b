import { ValidationError } from '@opcommerce/shared/errors'
import { recordAudit } from '@opcommerce/shared/queries/audit'
import { createUserQueries, type User } from '@opcommerce/shared/queries/users'
import { RateLimit } from '@opcommerce/shared/rate-limits'
import { endSessionsOf } from '@opcommerce/shared/sessions'
import { messages } from '../messages'
import { createSessionActivityQueries, type ActiveSession } from '../queries/session-activity'
import type { IdpDependencies } from './context'
import { verifyPassword } from './passwords'

/** The person signed in to « Mon compte », from the idp's SSO session (http/account-session.ts). */
export interface SignedInAccount {
  user: User
  /** The SSO session's `uid`: stable for this browser's session (its `id` changes at each login). */
  sessionUid: string
  /** When the person last logged in within this session (seconds since the epoch: `auth_time`). */
  authTime: number
}

/** How old a login may be for an action that accepts a recent login instead of the password. */
export const RECENT_LOGIN_SECONDS = 5 * 60 // seconds

export const loggedInRecently = (account: SignedInAccount, now: Date, maxAge = RECENT_LOGIN_SECONDS): boolean =>
  now.getTime() / 1000 - account.authTime <= maxAge

/**
 * Who is signed in to « Mon compte », and the checks of its sensitive actions (password, email
 * address, closing the account, second factors), which ask for the current password again:
 * whoever finds a browser left signed in cannot take the account over with it.
 */
export function createAccountSessions({ db, limits }: IdpDependencies) {
  return {
    /**
     * The person an SSO session is about (its `accountId`), while they still have a usable
     * account; the session's last activity moves forward (at most once a minute).
     */
    async signedInUser(session: { uid: string; accountId: string }, browser: { userAgent: string | undefined; ip: string }): Promise<User | undefined> {
      const user = await createUserQueries(db).findById(session.accountId)
      if (!user || user.disabledAt) return undefined
      await createSessionActivityQueries(db).touch({ uid: session.uid, userId: user.id, ...browser })
      return user
    },

    /** « Sessions »: the person's live SSO sessions, the most recently used first. */
    list: (account: SignedInAccount): Promise<ActiveSession[]> => createSessionActivityQueries(db).activeOf(account.user.id),

    /** Ends one SSO session of the person (and what it signed in to); false when it is not one of theirs or already over. */
    async endSession(account: SignedInAccount, sessionUid: string, ip: string): Promise<boolean> {
      await limits.accountChangesPerAccount.consume(account.user.id, messages.account.tooManyChanges)
      return db.transaction(async (trx) => {
        const ended = await endSessionsOf(trx, account.user.id, { only: sessionUid })
        if (ended > 0) await recordAudit(trx, { type: 'account.session_ended', actor: account.user.id, subject: account.user.id, ip })
        return ended > 0
      })
    },

    /** « Se déconnecter partout »: every session of the person ends, this one included. */
    async endAll(account: SignedInAccount, ip: string): Promise<void> {
      await db.transaction(async (trx) => {
        await endSessionsOf(trx, account.user.id)
        await recordAudit(trx, { type: 'account.logged_out_everywhere', actor: account.user.id, subject: account.user.id, ip })
      })
    },

    /**
     * Checks the password the signed-in person typed again. Attempts are counted per account
     * before the check, with the login's failures budget of the address (a guess here is a guess
     * at the password); a right one gives its point back. A wrong one is refused under the
     * `password` field (a 400 ValidationError) and audited.
     */
    async confirmPassword(account: SignedInAccount, password: string, ip: string): Promise<void> {
      const key = account.user.email.toLowerCase()
      await limits.loginFailuresPerAccount.consume(key, messages.login.tooMany)
      if (password && (await verifyPassword(account.user.passwordHash, password))) {
        await RateLimit.refund([limits.loginFailuresPerAccount, key])
        return
      }
      await recordAudit(db, { type: 'account.reauthentication_failed', actor: account.user.id, subject: account.user.id, ip })
      throw new ValidationError({ current_password: [messages.account.wrongPassword] })
    },
  }
}

export type AccountSessions = ReturnType<typeof createAccountSessions>
