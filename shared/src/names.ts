import { z } from 'zod'
import { formText } from './forms'

/** The longest name a form accepts. */
export const NAME_MAX_LENGTH = 100

/**
 * Letters (accented too), spaces, apostrophes and hyphens: what people's names are made of, and
 * nothing that could carry a line break or an address into the mails that quote them.
 * (Empty passes: the `required` message says what is wrong then.)
 */
const NAME_PATTERN = /^(?:\p{L}[\p{L}\p{M} '’-]*)?$/u

/** A given or family name field, trimmed, with its French messages. */
export const personName = (messages: { required: string; tooLong: string; letters: string }) =>
  formText
    .transform((name) => name.trim())
    .pipe(z.string().min(1, messages.required).max(NAME_MAX_LENGTH, messages.tooLong).regex(NAME_PATTERN, messages.letters))
