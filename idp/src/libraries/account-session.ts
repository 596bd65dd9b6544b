import { ValidationError } from '@opcommerce/shared/errors'
import { recordAudit } from '@opcommerce/shared/queries/audit'
import { createUserQueries, type User } from '@opcommerce/shared/queries/users'
import { messages } from '../messages'
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
    /** The person an SSO session is about (its `accountId`), while they still have a validated account. */
    async signedInUser(accountId: string): Promise<User | undefined> {
      const user = await createUserQueries(db).findById(accountId)
      return user?.emailVerifiedAt ? user : undefined
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
        await limits.loginFailuresPerAccount.reset(key)
        return
      }
      await recordAudit(db, { type: 'account.reauthentication_failed', actor: account.user.id, subject: account.user.id, ip })
      throw new ValidationError({ current_password: [messages.account.wrongPassword] })
    },
  }
}

export type AccountSessions = ReturnType<typeof createAccountSessions>
