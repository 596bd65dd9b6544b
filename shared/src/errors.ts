/**
 * Errors carry their HTTP status and whether their message may be shown to the user.
 * Messages of exposed errors are French sentences a user can act on; one error handler per
 * service turns them into a page or a JSON body, nothing else formats them.
 */
/** Marks our errors; a registered symbol is the same in every copy of this module. */
const APP_ERROR = Symbol.for('opcommerce.app-error')

/** What both services answer to an error not meant for the user (5xx), logged with its cause. */
export const UNEXPECTED_ERROR = "Une erreur inattendue s'est produite. Veuillez réessayer dans quelques instants."

/** What both services answer while the database is away (503): nothing was done, trying again will work. */
export const SERVICE_UNAVAILABLE = 'Le service est momentanément indisponible. Veuillez réessayer dans quelques instants.'

/** The top message of every refused form, in both services; each problem is shown next to its field. */
export const FORM_REFUSED = 'Le formulaire contient des erreurs : corrigez les champs signalés.'

/** Problems of a form, by field name, in French. */
export type FieldErrors = Record<string, string[]>

export class AppError extends Error {
  readonly status: number
  readonly expose: boolean
  /** Shown next to their fields by the form that was sent; empty unless a ValidationError. */
  readonly fieldErrors: FieldErrors = {}
  readonly [APP_ERROR] = true

  constructor(status: number, message: string, options: { expose?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.name = new.target.name
    this.status = status
    this.expose = options.expose ?? status < 500
  }

  /** Headers the response to this error carries (a method, so it works across module copies). */
  headers(): Record<string, string> {
    return {}
  }
}

/** A refused form: FORM_REFUSED at the top, each problem next to its field. */
export class ValidationError extends AppError {
  override readonly fieldErrors: FieldErrors

  constructor(fieldErrors: FieldErrors) {
    super(400, FORM_REFUSED)
    this.fieldErrors = fieldErrors
  }
}

/** A request refused as a whole rather than field by field; the message says why. */
export class BadRequestError extends AppError {
  constructor(message: string) {
    super(400, message)
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Vous devez vous connecter pour accéder à cette page.') {
    super(401, message)
  }
}

export class ForbiddenError extends AppError {
  constructor(message = "Vous n'avez pas les droits nécessaires pour effectuer cette action.") {
    super(403, message)
  }
}

export class NotFoundError extends AppError {
  constructor(message = "La page demandée n'existe pas.") {
    super(404, message)
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super(409, message)
  }
}

export class TooManyRequestsError extends AppError {
  /** Seconds until the caller may try again. */
  readonly retryAfter: number

  constructor(message: string, retryAfter: number) {
    super(429, message)
    this.retryAfter = retryAfter
  }

  override headers(): Record<string, string> {
    return { 'Retry-After': String(this.retryAfter) }
  }
}

/** The database does not answer (restarting, unreachable): a 503 the user may retry, never a 500. */
export class ServiceUnavailableError extends AppError {
  constructor(cause?: unknown) {
    super(503, SERVICE_UNAVAILABLE, { expose: true, cause })
  }

  override headers(): Record<string, string> {
    return { 'Retry-After': '5' }
  }
}

/** Start-up misconfiguration: printed as one line, then the process exits. */
export class ConfigError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options)
    this.name = 'ConfigError'
  }
}

/**
 * Whether `error` is one of ours (not, say, an http-errors of the body parser). Not checked with
 * instanceof: a bundler (Next.js) may load this module twice, and each copy has its own classes.
 */
export function isAppError(error: unknown): error is AppError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[APP_ERROR] === true
}
