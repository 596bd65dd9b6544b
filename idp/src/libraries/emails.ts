import { z } from 'zod'
import { formText } from '@opcommerce/shared/forms'
import { messages } from '../messages'

/** Addresses are compared without case or surrounding spaces (the unique index is on lower(email)). */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase()

/** The email field of a form: normalized, then checked (254 characters at most, as SMTP allows). */
export const emailAddress = formText
  .transform(normalizeEmail)
  .pipe(z.email({ error: messages.email.invalid }).max(254, { error: messages.email.invalid }))
