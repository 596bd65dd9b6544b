import { z } from 'zod'
import { NotFoundError } from '@opcommerce/shared/errors'
import { messages } from '@/lib/messages'

export const sirenParam = z.string().regex(/^\d{9}$/u)
export const userIdParam = z.uuid()

/** A path segment of a route: a malformed one names nothing, hence 404. */
export function parseParam<T>(schema: z.ZodType<T>, value: string): T {
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw new NotFoundError(messages.errors.notFound)
  return parsed.data
}

/** "Ajouter une entreprise", where a user's own access requests are listed too. */
export const ADD_COMPANY_PAGE = '/entreprises/ajouter'

/** A page of a company (`suffix` after its home), for a form posted without a Referer. */
export const companyPage = (sirenInput: string, suffix = '') => (sirenParam.safeParse(sirenInput).success ? `/entreprises/${sirenInput}${suffix}` : ADD_COMPANY_PAGE)
