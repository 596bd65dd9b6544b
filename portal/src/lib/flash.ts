import { z } from 'zod'
import { decryptText, encryptText } from '@opcommerce/shared/crypto'

/**
 * What a form posted without JavaScript tells the next page: the route handler answers with a
 * 303 to the page and this, sealed in the `portal_flash` cookie (AES-256-GCM under
 * PORTAL_SESSION_SECRET, so nobody else can write a message in the portal's voice); proxy.ts
 * hands it to that page once and deletes the cookie.
 */
const flashSchema = z.object({
  ok: z.boolean(),
  message: z.string(),
  /** The form that was sent (its action): its fields show their errors and what was typed. */
  form: z.string().optional(),
  fieldErrors: z.record(z.string(), z.array(z.string())).optional(),
  values: z.record(z.string(), z.string()).optional(),
})
export type Flash = z.infer<typeof flashSchema>

export const FLASH_LIFETIME = 60_000 // milliseconds: from the redirect to the page that shows it
const PURPOSE = 'portal flash'
const MAX_COOKIE = 3800 // characters: browsers keep cookies up to 4 kB
const MAX_VALUE = 500 // characters of a typed value kept for the form

const sealed = flashSchema.extend({ expiresAt: z.number() })

export function sealFlash(flash: Flash, secret: string, now: Date): string {
  const seal = (value: Flash) => encryptText(JSON.stringify({ ...value, expiresAt: now.getTime() + FLASH_LIFETIME }), secret, PURPOSE)
  const values = flash.values && Object.fromEntries(Object.entries(flash.values).map(([name, value]) => [name, value.slice(0, MAX_VALUE)]))
  const whole = seal({ ...flash, values })
  return whole.length <= MAX_COOKIE ? whole : seal({ ...flash, values: undefined })
}

/** The flash of a cookie; undefined when it is missing, forged or too old. */
export function unsealFlash(value: string | null | undefined, secret: string, now: Date): Flash | undefined {
  if (!value) return undefined
  try {
    const { expiresAt, ...flash } = sealed.parse(JSON.parse(decryptText(value, secret, PURPOSE)))
    return expiresAt > now.getTime() ? flash : undefined
  } catch {
    return undefined
  }
}
