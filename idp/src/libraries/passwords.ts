import { createRequire } from 'node:module'
import argon2 from 'argon2'
import type * as Core from '@zxcvbn-ts/core'
import type * as Common from '@zxcvbn-ts/language-common'
import type * as English from '@zxcvbn-ts/language-en'
import type * as French from '@zxcvbn-ts/language-fr'
import type { z } from 'zod'
import { sha256 } from '@opcommerce/shared/crypto'
import { messages } from '../messages'

/** OWASP's argon2id parameters: 19 MiB, 2 passes, 1 lane. */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const

/** zxcvbn scores 0–4; below this, a password is a known, leaked or easily guessed one. */
const MINIMUM_STRENGTH = 3

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS)
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password)
  } catch {
    return false
  }
}

/** Names the password a user has now, without revealing it (kept in the browser's pending cookie). */
export function credentialsFingerprint(passwordHash: string): string {
  return sha256(passwordHash).slice(0, 32)
}

/**
 * Hash checked when the email is unknown, so that a wrong email costs the same time as a wrong
 * password and response times do not reveal which users exist.
 */
const decoyHash = hashPassword('decoy password that matches nothing')

export async function verifyDecoyPassword(password: string): Promise<false> {
  await verifyPassword(await decoyHash, password)
  return false
}

const load = createRequire(import.meta.url)
let zxcvbn: Core.ZxcvbnFactory | undefined

/**
 * Common and leaked passwords (language-common), French and English words and names: about 70 MB
 * once loaded, so loaded at the first new password (registration, reset, strength meter), never
 * for a login. The matcher's cost grows steeply with length and leetspeak substitutions, and it
 * runs on the event loop: both are bounded (a 1024-character password measures in ~0.1 s instead
 * of ~10 s).
 */
function strengthMeter(): Core.ZxcvbnFactory {
  if (zxcvbn) return zxcvbn
  const { ZxcvbnFactory } = load('@zxcvbn-ts/core') as typeof Core
  const common = load('@zxcvbn-ts/language-common') as typeof Common
  const en = load('@zxcvbn-ts/language-en') as typeof English
  const fr = load('@zxcvbn-ts/language-fr') as typeof French
  zxcvbn = new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary, ...fr.dictionary },
    graphs: common.adjacencyGraphs,
    translations: fr.translations,
    maxLength: 64,
    l33tMaxSubstitutions: 10,
  })
  return zxcvbn
}

export interface PasswordStrength {
  /** 0 (guessed at once) to 4 (very strong). */
  score: number
  /** French advice from zxcvbn, when it has some. */
  advice: string[]
}

export function measurePasswordStrength(password: string, userInputs: string[] = []): PasswordStrength {
  const result = strengthMeter().check(password, userInputs.filter(Boolean))
  const advice = [result.feedback.warning, ...result.feedback.suggestions].filter((line): line is string => Boolean(line))
  return { score: result.score, advice }
}

/**
 * The checks of a new password that need the whole form, once the guide's rules are met (the
 * `newPassword` field, with `whenValid('password')`): not common, leaked or made of the user's own
 * details (`userInputs`), then repeated in the confirmation field.
 */
export const checkNewPassword =
  <Form extends { password: string; password_confirmation: string }>(userInputs: (form: Form) => string[]) =>
  (form: Form, ctx: z.RefinementCtx): void => {
    if (measurePasswordStrength(form.password, userInputs(form)).score < MINIMUM_STRENGTH) {
      ctx.addIssue({ code: 'custom', path: ['password'], message: messages.password.tooCommon })
    } else if (form.password_confirmation !== form.password) {
      ctx.addIssue({ code: 'custom', path: ['password_confirmation'], message: messages.password.mismatch })
    }
  }
