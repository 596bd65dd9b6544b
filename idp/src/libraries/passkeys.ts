import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server'
import { z } from 'zod'
import type { Config } from '@opcommerce/shared/config'
import { AppError, ForbiddenError } from '@opcommerce/shared/errors'
import { recordAudit } from '@opcommerce/shared/queries/audit'
import { createSecondFactorQueries, type Passkey } from '@opcommerce/shared/queries/second-factors'
import { createUserQueries } from '@opcommerce/shared/queries/users'
import type { UserProfile } from '@opcommerce/shared/users'
import { messages } from '../messages'
import type { AuthenticationMethod } from './authentication-context'
import type { IdpDependencies } from './context'

/** How long a ceremony may take between its options and its answer. */
const CHALLENGE_TTL = 5 * 60 // seconds
const RP_NAME = 'Web Services Entreprise'
/** What a browser posts back (PublicKeyCredential as JSON): bounded before it is parsed. */
const MAX_RESPONSE_LENGTH = 16_384 // characters

export class PasskeyError extends AppError {
  constructor(message: string = messages.twoFactor.passkeyFailed) {
    super(400, message)
  }
}

const responseSchema = z.object({ id: z.string().min(1).max(1024), rawId: z.string(), type: z.literal('public-key'), response: z.object({}).passthrough() }).passthrough()

function parseResponse<T>(json: string): T {
  if (json.length > MAX_RESPONSE_LENGTH) throw new PasskeyError()
  try {
    const parsed = responseSchema.safeParse(JSON.parse(json))
    if (parsed.success) return parsed.data as T
  } catch {
    // not JSON: refused below
  }
  throw new PasskeyError()
}

/** RFC 8176: a passkey bound to its device (a security key) is `hwk`, a synced one `swk`. */
const methodOf = (passkey: Pick<Passkey, 'deviceType'>): AuthenticationMethod => (passkey.deviceType === 'singleDevice' ? 'hwk' : 'swk')

/** The relying party of WebAuthn is the idp: its host is the RP ID, its origin the only one accepted. */
function relyingParty(config: Config) {
  const issuer = new URL(config.idp.issuer)
  return { rpID: issuer.hostname, origin: issuer.origin }
}

/**
 * Passkeys (WebAuthn, @simplewebauthn/server). Every ceremony requires user verification (PIN
 * or biometrics), which is why a passkey alone counts as two factors. A challenge is stored
 * and deleted when its answer comes back: an answer is accepted once.
 */
export function createPasskeys({ db, config, now }: Pick<IdpDependencies, 'db' | 'config' | 'now'>) {
  const factors = createSecondFactorQueries(db)
  const users = createUserQueries(db)
  const { rpID, origin } = relyingParty(config)

  async function remember(challenge: string, userId: string | null, purpose: 'registration' | 'authentication'): Promise<void> {
    await factors.saveChallenge({ challenge, userId, purpose, expiresAt: new Date(now().getTime() + CHALLENGE_TTL * 1000) })
  }

  /** A passkey alone is a whole login: the same refusal as the password's for a disabled account; audited as a login. */
  async function assertMayLogIn(userId: string, ip: string, method: AuthenticationMethod): Promise<void> {
    const user = await users.findById(userId)
    if (!user?.emailVerifiedAt) throw new PasskeyError(messages.twoFactor.passkeyUnknown)
    if (user.disabledAt) {
      await recordAudit(db, { type: 'login.refused_disabled', actor: user.id, subject: user.id, ip })
      throw new ForbiddenError(messages.login.disabled)
    }
    await recordAudit(db, { type: 'login.succeeded', actor: userId, subject: userId, ip, details: { method } })
  }

  return {
    list: (userId: string) => factors.passkeysOf(userId),

    async registrationOptions(user: UserProfile) {
      const existing = await factors.passkeysOf(user.id)
      const options = await generateRegistrationOptions({
        rpName: RP_NAME,
        rpID,
        userName: user.email,
        userDisplayName: `${user.givenName} ${user.familyName}`,
        userID: new TextEncoder().encode(user.id),
        excludeCredentials: existing.map((passkey) => ({ id: passkey.id, transports: passkey.transports })),
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
        timeout: CHALLENGE_TTL * 1000,
      })
      await remember(options.challenge, user.id, 'registration')
      return options
    },

    async register(userId: string, json: string, name: string, ip: string): Promise<Passkey> {
      const response = parseResponse<RegistrationResponseJSON>(json)
      const verification = await verifyRegistrationResponse({
        response,
        expectedChallenge: async (challenge) => (await factors.takeChallenge(challenge, 'registration', now()))?.userId === userId,
        expectedOrigin: origin,
        expectedRPID: rpID,
        requireUserVerification: true,
      }).catch(() => ({ verified: false as const }))
      if (!verification.verified) throw new PasskeyError()
      const { credential, credentialDeviceType } = verification.registrationInfo
      const passkey = {
        id: credential.id,
        userId,
        publicKey: credential.publicKey,
        counter: credential.counter,
        transports: credential.transports ?? [],
        name: name.trim() || 'Clé d’accès',
        deviceType: credentialDeviceType,
        createdAt: now(),
      }
      await factors.insertPasskey(passkey)
      await recordAudit(db, { type: 'two_factor.passkey_added', actor: userId, subject: userId, ip, details: { passkey: passkey.id } })
      return { ...passkey, lastUsedAt: null }
    },

    /** For the second factor of `userId`, or (no user) for « Se connecter avec une clé d'accès ». */
    async authenticationOptions(userId: string | null) {
      const allowed = userId ? await factors.passkeysOf(userId) : []
      const options = await generateAuthenticationOptions({
        rpID,
        allowCredentials: allowed.map((passkey) => ({ id: passkey.id, transports: passkey.transports })),
        userVerification: 'required',
        timeout: CHALLENGE_TTL * 1000,
      })
      await remember(options.challenge, userId, 'authentication')
      return options
    },

    /**
     * Whose passkey answered, and how (hwk or swk): `expectedUserId` for a second factor, null
     * for a login with the passkey alone (audited as a login).
     */
    async authenticate(json: string, expectedUserId: string | null, ip: string): Promise<{ userId: string; method: AuthenticationMethod }> {
      const response = parseResponse<AuthenticationResponseJSON>(json)
      const passkey = await factors.findPasskey(response.id)
      if (!passkey) throw new PasskeyError(messages.twoFactor.passkeyUnknown)
      if (expectedUserId && passkey.userId !== expectedUserId) throw new PasskeyError()
      const verification = await verifyAuthenticationResponse({
        response,
        expectedChallenge: async (challenge) => {
          const taken = await factors.takeChallenge(challenge, 'authentication', now())
          return taken !== undefined && (taken.userId === null || taken.userId === passkey.userId)
        },
        expectedOrigin: origin,
        expectedRPID: rpID,
        credential: { id: passkey.id, publicKey: passkey.publicKey, counter: passkey.counter, transports: passkey.transports },
        requireUserVerification: true,
      }).catch(() => ({ verified: false, authenticationInfo: undefined }))
      if (!verification.verified || !verification.authenticationInfo) throw new PasskeyError()
      if (!(await factors.usePasskey(passkey.id, verification.authenticationInfo.newCounter, now()))) throw new PasskeyError()
      const method = methodOf(passkey)
      if (!expectedUserId) await assertMayLogIn(passkey.userId, ip, method)
      return { userId: passkey.userId, method }
    },

    async rename(userId: string, id: string, name: string): Promise<boolean> {
      return factors.renamePasskey(userId, id, name.trim() || 'Clé d’accès')
    },

    async remove(userId: string, id: string, ip: string): Promise<boolean> {
      const removed = await factors.deletePasskey(userId, id)
      if (removed) await recordAudit(db, { type: 'two_factor.passkey_removed', actor: userId, subject: userId, ip, details: { passkey: id } })
      return removed
    },
  }
}

export type Passkeys = ReturnType<typeof createPasskeys>
