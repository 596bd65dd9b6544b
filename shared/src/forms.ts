import { z } from 'zod'
import { safeEqual } from './crypto'
import { ValidationError, type FieldErrors } from './errors'

// The form toolkit of both services. A form is read leniently (readForm: every field a string),
// then checked with its zod schema (validateForm), which refuses it with a ValidationError: the
// one top message FORM_REFUSED, and each problem under its field.

/** The hidden field that repeats the CSRF token in every form (double submit). */
export const CSRF_FIELD = '_csrf'

/**
 * A form field: missing, not a string or absurdly long reads as empty, so a tampered form gets
 * field errors, not a 500. NUL characters, which no text a person types contains and PostgreSQL
 * refuses in text, are dropped.
 */
export const formText = z
  .string()
  .max(10_000)
  .catch('')
  .transform((value) => value.replaceAll('\u0000', ''))

/** The named fields of a posted form (a parsed body or FormData), each as a string. */
export function readForm<const Field extends string>(body: unknown, fields: readonly Field[]): Record<Field, string> {
  const valueOf = (field: string): unknown =>
    body instanceof FormData ? body.get(field) : typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[field] : undefined
  return Object.fromEntries(fields.map((field) => [field, formText.parse(valueOf(field))])) as Record<Field, string>
}

/** The form checked by its schema; refused with every problem of every field at once. */
export function validateForm<Schema extends z.ZodType>(schema: Schema, values: unknown): z.output<Schema> {
  const parsed = schema.safeParse(values)
  if (parsed.success) return parsed.data
  const fieldErrors: FieldErrors = {}
  for (const issue of parsed.error.issues) (fieldErrors[String(issue.path[0] ?? '')] ??= []).push(issue.message)
  throw new ValidationError(fieldErrors)
}

/** For a check across fields (a confirmation, a password against the names): run it once `field` itself is valid. */
export const whenValid =
  (field: string) =>
  (payload: { issues: readonly { path?: readonly PropertyKey[] }[] }): boolean =>
    !payload.issues.some((issue) => issue.path?.[0] === field)

/** Whether a submitted CSRF token is the expected one, compared in constant time. */
export function csrfTokenMatches(submitted: unknown, expected: string): boolean {
  return typeof submitted === 'string' && safeEqual(submitted, expected)
}

/**
 * Whether the browser says a POST comes from another site than `origin` (ours): Sec-Fetch-Site
 * other than same-origin, or an Origin header naming another origin. `Origin: null` says nothing
 * (browsers send it for every POST from a page with `Referrer-Policy: no-referrer`, as the idp's
 * are). Browsers that send neither are left to the CSRF token.
 */
export function crossSiteRequest(secFetchSite: string, originHeader: string, origin: string): boolean {
  if (secFetchSite && secFetchSite !== 'same-origin') return true
  return Boolean(originHeader) && originHeader !== 'null' && originHeader !== origin
}
