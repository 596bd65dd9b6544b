import { isDisposableEmailDomain } from 'disposable-email-domains-js'
import publicProviders from 'email-providers/all.json' with { type: 'json' }

// Maintained lists, never written by hand: email-providers (free and public mail providers,
// about 8,700 domains) and disposable-email-domains-js (throwaway addresses, about 8,900).
const freeMail = new Set<string>(publicProviders)

/** The domain of an address, in lower case ("" when there is none). */
export const domainOf = (email: string) => email.slice(email.lastIndexOf('@') + 1).trim().toLowerCase()

/**
 * Whether anyone can get an address on `domain` (free mail such as gmail.com or orange.fr, or a
 * disposable mailbox): such a domain says nothing of the company someone works for.
 */
export function isPublicMailDomain(domain: string): boolean {
  const name = domain.trim().toLowerCase()
  return freeMail.has(name) || isDisposableEmailDomain(name)
}
