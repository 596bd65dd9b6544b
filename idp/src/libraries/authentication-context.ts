/**
 * How a person proved who they are, as ID tokens say it (Core 1.0 §2): `amr` lists the methods
 * used, with RFC 8176's names; `acr` names the level they reach, one of ACR_VALUES (advertised
 * as acr_values_supported). A second factor adds its method here, and a level above password.
 */
export const ACR_VALUES = {
  /** A password, checked against the user's argon2id hash. */
  password: 'urn:opcommerce:acr:password',
} as const

export type Acr = (typeof ACR_VALUES)[keyof typeof ACR_VALUES]
export type AuthenticationMethod = 'pwd'

export interface AuthenticationContext {
  amr: AuthenticationMethod[]
  acr: Acr
}

/** The amr and acr of a login that used `methods`. */
export function authenticationContext(methods: readonly AuthenticationMethod[]): AuthenticationContext {
  return { amr: [...methods], acr: ACR_VALUES.password }
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
