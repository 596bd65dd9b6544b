import { generateSecret, generateURI, verify } from 'otplib'
import QRCode from 'qrcode'
import { decryptText, encryptText } from '@opcommerce/shared/crypto'
import { AppError, ConflictError } from '@opcommerce/shared/errors'
import { createSecondFactorQueries } from '@opcommerce/shared/queries/second-factors'
import { messages } from '../messages'
import type { IdpDependencies } from './context'
import { generateRecoveryCodes, hashRecoveryCode } from './recovery-codes'

/** RFC 6238 with what every authenticator app uses: SHA-1, 6 digits, 30 seconds. */
const PERIOD = 30 // seconds
/** A code of the step before or after now is accepted too (RFC 6238 §5.2: clocks drift). */
const TOLERANCE = PERIOD // seconds, so ±1 step
/** The HKDF purpose of the key that encrypts TOTP secrets (from SIGNING_KEYS_SECRET). */
const PURPOSE = 'totp-secret'
const ISSUER = 'Web Services Entreprise'

export class InvalidCodeError extends AppError {
  constructor(message: string = messages.twoFactor.invalidCode) {
    super(401, message)
  }
}

/** What the enrolment page shows: the QR code (SVG) and the same secret as text. */
export interface TotpEnrolment {
  secret: string
  uri: string
  qrCodeSvg: string
}

/**
 * Authenticator apps (TOTP). A secret is encrypted at rest; it becomes a factor once a first
 * code proves the app holds it. Each accepted code stores its time step, in the same UPDATE
 * that checks it is later than the last one: a code is accepted once, even by racing requests.
 */
export function createTotp({ db, config, now }: Pick<IdpDependencies, 'db' | 'config' | 'now'>) {
  const factors = createSecondFactorQueries(db)
  const key = config.secrets.signingKeysSecret

  /** The time step `code` belongs to (now, or one step either side), or undefined. */
  async function stepOf(secret: string, code: string): Promise<number | undefined> {
    if (!/^\d{6}$/u.test(code)) return undefined
    const result = await verify({ secret, token: code, epoch: Math.floor(now().getTime() / 1000), epochTolerance: TOLERANCE })
    return result.valid && 'timeStep' in result ? result.timeStep : undefined
  }

  async function describe(email: string, secret: string): Promise<TotpEnrolment> {
    const uri = generateURI({ issuer: ISSUER, label: email, secret, period: PERIOD })
    return { secret, uri, qrCodeSvg: await QRCode.toString(uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }) }
  }

  return {
    /**
     * The secret waiting for its first code: the same one when the page is shown again (a wrong
     * first code), a new one otherwise. Refused when an app is already configured.
     */
    async enrolment(user: { id: string; email: string }, options: { fresh: boolean }): Promise<TotpEnrolment> {
      const existing = await factors.findTotp(user.id)
      if (existing?.confirmedAt) throw new ConflictError(messages.twoFactor.alreadyEnrolled)
      if (existing && !options.fresh) return describe(user.email, decryptText(existing.secretEncrypted, key, PURPOSE))
      const secret = generateSecret()
      if (!(await factors.savePendingTotp(user.id, encryptText(secret, key, PURPOSE), now()))) throw new ConflictError(messages.twoFactor.alreadyEnrolled)
      return describe(user.email, secret)
    },

    /** The first code: the app becomes a factor, and the person gets ten recovery codes (shown once). */
    async confirm(userId: string, code: string): Promise<string[]> {
      const pending = await factors.findTotp(userId)
      if (!pending || pending.confirmedAt) throw new InvalidCodeError()
      const step = await stepOf(decryptText(pending.secretEncrypted, key, PURPOSE), code)
      return db.transaction(async (trx) => {
        const inTransaction = createSecondFactorQueries(trx)
        if (step === undefined || !(await inTransaction.useTotpStep(userId, step, { confirming: true, at: now() }))) throw new InvalidCodeError()
        const codes = generateRecoveryCodes()
        await inTransaction.replaceRecoveryCodes(userId, codes.map(hashRecoveryCode))
        return codes
      })
    },

    /** Whether `code` is the person's current code, never accepted before. */
    async check(userId: string, code: string): Promise<boolean> {
      const totp = await factors.findTotp(userId)
      if (!totp?.confirmedAt) return false
      const step = await stepOf(decryptText(totp.secretEncrypted, key, PURPOSE), code)
      return step !== undefined && factors.useTotpStep(userId, step, { confirming: false, at: now() })
    },

    /** Whether `code` is one of the person's unused recovery codes; it is used up if so. */
    async useRecoveryCode(userId: string, code: string): Promise<boolean> {
      return code.length <= 64 && factors.useRecoveryCode(userId, hashRecoveryCode(code), now())
    },
  }
}

export type Totp = ReturnType<typeof createTotp>
