import type Provider from 'oidc-provider'
import type { Config } from '@opcommerce/shared/config'
import type { AccountClosing } from '../libraries/account-closing'
import type { AccountProfile } from '../libraries/account-profile'
import type { AccountSessions } from '../libraries/account-session'
import type { EmailChangeLibrary } from '../libraries/email-change'
import type { LinkProblem } from '../libraries/email-tokens'
import type { IdpLimits } from '../libraries/limits'
import type { Login } from '../libraries/login'
import type { PasswordReset } from '../libraries/password-reset'
import type { Registrations } from '../libraries/registration'
import type { IdpCookies } from '../http/cookies'
import type { Passkeys } from '../libraries/passkeys'
import type { SecondFactor } from '../libraries/second-factor'

export interface RouteDependencies {
  config: Config
  provider: Provider
  cookies: IdpCookies
  registration: Registrations
  login: Login
  passwordReset: PasswordReset
  secondFactor: SecondFactor
  passkeys: Passkeys
  limits: IdpLimits
  accountSessions: AccountSessions
  accountProfile: AccountProfile
  emailChange: EmailChangeLibrary
  accountClosing: AccountClosing
  now: () => Date
}

/**
 * Where "Se connecter" and "Retour à la connexion" lead: back to the login page of the
 * authorization request in progress when it still exists, else to the portal, which starts one.
 */
export async function loginHref({ provider, config }: RouteDependencies, interaction: string | undefined): Promise<string> {
  if (interaction && /^[\w-]{1,64}$/u.test(interaction) && (await provider.Interaction.find(interaction))) {
    return `/interaction/${interaction}`
  }
  return config.portal.loginUrl
}

/** The status of a mail link that cannot be used: 404 when it never existed, 410 (Gone) when it did. */
export const linkProblemStatus = (problem: LinkProblem | 'used_validated'): 404 | 410 => (problem === 'unknown' ? 404 : 410)
