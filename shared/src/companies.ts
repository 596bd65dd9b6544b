import { createHmac } from 'node:crypto'
import { safeEqual } from './crypto'

/** Codes adhérent are typed with spaces or in lower case: compare them without either. */
export function normalizeMemberCode(code: string): string {
  return code.replace(/\s/gu, '').toUpperCase()
}

/** What companies.member_code_hash holds: the code itself is never stored. */
export function hashMemberCode(code: string, key: string): string {
  return createHmac('sha256', key).update(normalizeMemberCode(code)).digest('hex')
}

export function memberCodeMatches(code: string, expectedHash: string, key: string): boolean {
  return safeEqual(hashMemberCode(code, key), expectedHash)
}
