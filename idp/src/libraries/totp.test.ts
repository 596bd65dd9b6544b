import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { generate } from 'otplib'
import { createSecondFactorQueries } from '@opcommerce/shared/queries/second-factors'
import { createTestDatabase, type TestDatabase } from '../../../tests/support/database'
import { InvalidCodeError, createTotp, type Totp } from './totp'
import { RECOVERY_CODE_COUNT } from './recovery-codes'

const STEP = 30_000 // milliseconds
const SIGNING_KEYS_SECRET = 'test-signing-keys-secret-0123456789abcdef'

describe('authenticator apps: a code once, one step of drift, ten single-use recovery codes stored hashed', () => {
  let database: TestDatabase
  let totp: Totp
  /** The idp's clock: tests move it relative to the real time, never to a fixed date. */
  let clock = Date.now()

  beforeAll(async () => {
    database = await createTestDatabase()
    const config = { secrets: { signingKeysSecret: SIGNING_KEYS_SECRET } } as Parameters<typeof createTotp>[0]['config']
    totp = createTotp({ db: database.knex, config, now: () => new Date(clock) })
  })
  afterAll(async () => {
    await database?.close()
  })

  let counter = 0
  async function newUser(): Promise<{ id: string; email: string }> {
    counter += 1
    const email = `totp-${counter}-${Date.now()}@example.fr`
    const [row] = await database.knex('users').insert({ email, password_hash: 'x', given_name: 'A', family_name: 'B', email_verified_at: new Date() }).returning('id')
    return { id: row.id, email }
  }

  /** The code an app shows at `at` (milliseconds). */
  const codeAt = (secret: string, at: number) => generate({ secret, epoch: Math.floor(at / 1000) })

  /** A person with a confirmed app; returns its secret and the recovery codes shown. */
  async function enrolled() {
    const user = await newUser()
    const { secret } = await totp.enrolment(user, { fresh: true })
    // The first code must not be the one of the step the tests use next.
    const recoveryCodes = await totp.confirm(user.id, await codeAt(secret, clock - STEP))
    return { user, secret, recoveryCodes }
  }

  it('offers a QR code and the secret as text, and stores the secret encrypted', async () => {
    const user = await newUser()
    const enrolment = await totp.enrolment(user, { fresh: true })
    expect(enrolment.secret).toMatch(/^[A-Z2-7]{26,}$/u)
    expect(enrolment.uri).toContain(`secret=${enrolment.secret}`)
    expect(enrolment.uri).toContain('issuer=Web%20Services%20Entreprise')
    expect(enrolment.qrCodeSvg).toContain('<svg')
    const row = await database.knex('totp_secrets').where({ user_id: user.id }).first()
    expect(row.secret_encrypted).not.toContain(enrolment.secret)
    expect(row.confirmed_at).toBeNull()
    // Shown again after a wrong first code: the same secret.
    expect((await totp.enrolment(user, { fresh: false })).secret).toBe(enrolment.secret)
    expect((await createSecondFactorQueries(database.knex).of(user.id)).totp).toBe(false)
  })

  it('becomes a factor with a first right code only', async () => {
    const user = await newUser()
    const { secret } = await totp.enrolment(user, { fresh: true })
    await expect(totp.confirm(user.id, '000000' === (await codeAt(secret, clock)) ? '111111' : '000000')).rejects.toBeInstanceOf(InvalidCodeError)
    const codes = await totp.confirm(user.id, await codeAt(secret, clock))
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT)
    expect((await createSecondFactorQueries(database.knex).of(user.id)).totp).toBe(true)
    await expect(totp.enrolment(user, { fresh: true })).rejects.toMatchObject({ status: 409 })
  })

  it('accepts a code once: the same code again, even sent twice at once, is refused', async () => {
    const { user, secret } = await enrolled()
    const code = await codeAt(secret, clock)
    const results = await Promise.all([totp.check(user.id, code), totp.check(user.id, code), totp.check(user.id, code)])
    expect(results.filter(Boolean)).toHaveLength(1)
    expect(await totp.check(user.id, code)).toBe(false)
  })

  it('refuses a code older than the last one accepted', async () => {
    const { user, secret } = await enrolled()
    expect(await totp.check(user.id, await codeAt(secret, clock))).toBe(true)
    expect(await totp.check(user.id, await codeAt(secret, clock - STEP))).toBe(false)
    expect(await totp.check(user.id, await codeAt(secret, clock + STEP))).toBe(true)
  })

  it('tolerates one step of clock drift either way, not two', async () => {
    const [late, early, behind, ahead] = [await enrolled(), await enrolled(), await enrolled(), await enrolled()]
    // Minutes later: every step around now is after the one each enrolment used.
    clock += 10 * STEP
    try {
      expect(await totp.check(late.user.id, await codeAt(late.secret, clock - 2 * STEP))).toBe(false)
      expect(await totp.check(early.user.id, await codeAt(early.secret, clock + 2 * STEP))).toBe(false)
      expect(await totp.check(behind.user.id, await codeAt(behind.secret, clock - STEP))).toBe(true)
      expect(await totp.check(ahead.user.id, await codeAt(ahead.secret, clock + STEP))).toBe(true)
      // Refused above for the drift alone: the same people's current codes still work.
      expect(await totp.check(late.user.id, await codeAt(late.secret, clock))).toBe(true)
      expect(await totp.check(early.user.id, await codeAt(early.secret, clock))).toBe(true)
    } finally {
      clock -= 10 * STEP
    }
  })

  it('refuses anything but six digits, and codes of another secret', async () => {
    const { user } = await enrolled()
    const other = await enrolled()
    for (const code of ['', '12345', '1234567', 'abcdef', ' 123456']) expect(await totp.check(user.id, code)).toBe(false)
    expect(await totp.check(user.id, await codeAt(other.secret, clock))).toBe(false)
  })

  it('keeps recovery codes hashed; each works once, in any case and with or without dashes', async () => {
    const { user, recoveryCodes } = await enrolled()
    expect(new Set(recoveryCodes).size).toBe(RECOVERY_CODE_COUNT)
    for (const code of recoveryCodes) expect(code).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/u)
    const stored = await database.knex('recovery_codes').where({ user_id: user.id }).pluck('code_hash')
    expect(stored).toHaveLength(RECOVERY_CODE_COUNT)
    for (const code of recoveryCodes) {
      expect(stored).not.toContain(code)
      expect(stored).not.toContain(code.replaceAll('-', ''))
    }
    const [first, second] = recoveryCodes as [string, string]
    const racing = await Promise.all([totp.useRecoveryCode(user.id, first), totp.useRecoveryCode(user.id, first)])
    expect(racing.filter(Boolean)).toHaveLength(1)
    expect(await totp.useRecoveryCode(user.id, first)).toBe(false)
    expect(await totp.useRecoveryCode(user.id, ` ${second.toUpperCase().replaceAll('-', '')} `)).toBe(true)
    expect((await createSecondFactorQueries(database.knex).of(user.id)).recoveryCodesLeft).toBe(RECOVERY_CODE_COUNT - 2)
    const other = await enrolled()
    expect(await totp.useRecoveryCode(other.user.id, recoveryCodes[2]!)).toBe(false)
  })
})
