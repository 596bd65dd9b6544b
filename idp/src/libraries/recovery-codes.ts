import { randomBytes } from 'node:crypto'
import { sha256 } from '@opcommerce/shared/crypto'

/** How many codes a person gets at once; a new set replaces the old one. */
export const RECOVERY_CODE_COUNT = 10

/** 32 letters and digits without look-alikes (no 0/o, 1/l): 5 bits a character. */
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789'

/** Ten codes of 16 characters (80 random bits each), shown as `abcd-efgh-jkmn-pqrs`. */
export function generateRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const characters = [...randomBytes(16)].map((byte) => ALPHABET[byte % 32]).join('')
    return characters.match(/.{4}/gu)!.join('-')
  })
}

/** What a person typed, as it was generated: case, spaces and dashes do not matter. */
export function normalizeRecoveryCode(input: string): string {
  return input.toLowerCase().replace(/[\s-]/gu, '')
}

/** What the database keeps: 80 random bits make a plain SHA-256 as strong as a slow hash. */
export const hashRecoveryCode = (code: string) => sha256(normalizeRecoveryCode(code))
