/**
 * How a person proved who they are, as ID tokens say it (Core 1.0 §2): `amr` lists the methods
 * used, with RFC 8176's names; `acr` names the level they reach, one of ACR_VALUES (advertised
 * as acr_values_supported).
 */
export const ACR_VALUES = {
  /** A password, checked against the user's argon2id hash. */
  password: 'urn:opcommerce:acr:password',
  /**
   * Two factors: a password and an authenticator app's code, a recovery code or a passkey; or
   * a passkey alone, which our WebAuthn ceremonies require to verify the user (PIN or biometrics).
   */
  multiFactor: 'urn:opcommerce:acr:mfa',
} as const

export type Acr = (typeof ACR_VALUES)[keyof typeof ACR_VALUES]
/**
 * RFC 8176: `pwd` a password; `otp` a one-time code (authenticator app or recovery code); `hwk`
 * a passkey bound to its device (a security key), `swk` one synced between devices; `mfa` added
 * when two factors were used.
 */
export type AuthenticationMethod = 'pwd' | 'otp' | 'hwk' | 'swk'

export interface AuthenticationContext {
  amr: (AuthenticationMethod | 'mfa')[]
  acr: Acr
}

/** The amr and acr of a login that used `methods` (a passkey always with user verification). */
export function authenticationContext(methods: readonly AuthenticationMethod[]): AuthenticationContext {
  const unique = [...new Set(methods)]
  const passkey = unique.includes('hwk') || unique.includes('swk')
  const multiFactor = passkey || unique.length > 1
  return multiFactor ? { amr: [...unique, 'mfa'], acr: ACR_VALUES.multiFactor } : { amr: unique, acr: ACR_VALUES.password }
}

/**
 * Whether a login could reach one of the acr values an authorization request asks for as an
 * essential claim (oidc-provider's `essential_acr(s)` prompt details: `{ value }` or `{ values }`).
 * Core 1.0 §5.5.1.1: when it cannot, the authentication fails rather than issuing another acr.
 */
export function canReachEssentialAcr(requested: { value?: unknown; values?: unknown }): boolean {
  const wanted = Array.isArray(requested.values) ? requested.values : [requested.value]
  const reachable: readonly unknown[] = Object.values(ACR_VALUES)
  return wanted.some((value) => reachable.includes(value))
}

/**
 * Whether an authorization request demands two factors: it names ACR_VALUES.multiFactor in
 * `acr_values`, or as the essential `acr` claim, and not the password level beside it (a request
 * that accepts either gets whatever the person uses). We honour `acr_values` as a requirement
 * for this one value, like ProConnect does for its own: a relying party that asks for two
 * factors gets them, or the error unmet_authentication_requirements, never less.
 */
export function multiFactorRequired(params: { acr_values?: unknown; claims?: unknown }): boolean {
  const requested = new Set<unknown>([...(typeof params.acr_values === 'string' ? params.acr_values.split(' ') : []), ...essentialAcrs(params.claims)])
  return requested.has(ACR_VALUES.multiFactor) && !requested.has(ACR_VALUES.password)
}

function essentialAcrs(claims: unknown): unknown[] {
  if (typeof claims !== 'string') return []
  try {
    const acr = (JSON.parse(claims) as { id_token?: { acr?: { essential?: boolean; value?: unknown; values?: unknown } } }).id_token?.acr
    if (!acr?.essential) return []
    return Array.isArray(acr.values) ? acr.values : [acr.value]
  } catch {
    return []
  }
}
