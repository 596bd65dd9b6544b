import { formText } from './forms'

/** The special characters the guide lists ("!@#$%^&*()_[]:;<>?~| }.,/~-"), space included. */
export const SPECIAL_CHARACTERS = '!@#$%^&*()_[]:;<>?~| }.,/-'

const PASSWORD_MIN_LENGTH = 8
export const PASSWORD_MAX_LENGTH = 128

export interface PasswordRule {
  id: 'length' | 'upper' | 'lower' | 'digit' | 'special'
  /** Shown as a checklist next to the field. */
  label: string
  /** Shown when the rule is not met. */
  message: string
  /** Also used by the page's script to tick the checklist while the user types. */
  pattern: RegExp
}

const escapedSpecials = SPECIAL_CHARACTERS.replace(/[\]\\^-]/gu, '\\$&')

/** The guide's policy: at least 8 characters with upper case, lower case, digit and special character. */
export const PASSWORD_RULES: readonly PasswordRule[] = [
  {
    id: 'length',
    label: `${PASSWORD_MIN_LENGTH} caractères minimum`,
    message: `Le mot de passe doit contenir au moins ${PASSWORD_MIN_LENGTH} caractères.`,
    pattern: new RegExp(`^[\\s\\S]{${PASSWORD_MIN_LENGTH},}$`, 'u'),
  },
  {
    id: 'upper',
    label: 'une majuscule',
    message: 'Le mot de passe doit contenir au moins une lettre majuscule.',
    pattern: /\p{Lu}/u,
  },
  {
    id: 'lower',
    label: 'une minuscule',
    message: 'Le mot de passe doit contenir au moins une lettre minuscule.',
    pattern: /\p{Ll}/u,
  },
  { id: 'digit', label: 'un chiffre', message: 'Le mot de passe doit contenir au moins un chiffre.', pattern: /\d/u },
  {
    id: 'special',
    label: 'un caractère spécial',
    message: `Le mot de passe doit contenir au moins un caractère spécial parmi ${SPECIAL_CHARACTERS.replace(' ', '')} ou l'espace.`,
    pattern: new RegExp(`[${escapedSpecials}]`, 'u'),
  },
]

/** Every rule the password does not meet, as French sentences; empty when it is acceptable. */
export function checkPasswordPolicy(password: string): string[] {
  if ([...password].length > PASSWORD_MAX_LENGTH) {
    return [`Le mot de passe ne doit pas dépasser ${PASSWORD_MAX_LENGTH} caractères.`]
  }
  return PASSWORD_RULES.filter((rule) => !rule.pattern.test(password)).map((rule) => rule.message)
}

/** The new password field of a form: one issue per rule of the guide it does not meet. */
export const newPassword = formText.superRefine((password, ctx) => {
  for (const message of checkPasswordPolicy(password)) ctx.addIssue({ code: 'custom', message })
})
