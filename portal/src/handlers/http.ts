import { NextResponse } from 'next/server'
import { BadRequestError, ForbiddenError, isAppError, UnauthorizedError, UNEXPECTED_ERROR, type FieldErrors } from '@opcommerce/shared/errors'
import { CSRF_FIELD, csrfTokenMatches } from '@opcommerce/shared/forms'
import type { PortalContext } from '@/lib/context'
import { messages } from '@/lib/messages'
import { cookieOf, cookieOptions, FLASH_COOKIE, SESSION_COOKIE } from '@/lib/cookies'
import { FLASH_LIFETIME, sealFlash, type Flash } from '@/lib/flash'
import { safeReturnTo } from '@/lib/pending-login'
import type { PortalSession } from '@/lib/portal-sessions'

export function readSession(context: PortalContext, request: Request): Promise<PortalSession | undefined> {
  return context.sessions.resume(cookieOf(request, SESSION_COOKIE))
}

export async function requireSession(context: PortalContext, request: Request): Promise<PortalSession> {
  const session = await readSession(context, request)
  if (!session) throw new UnauthorizedError(messages.session.required)
  return session
}

/** Reads a posted form and checks its CSRF field against the session (double submit). */
export async function verifyForm(request: Request, session: PortalSession): Promise<FormData> {
  let form: FormData
  try {
    form = await request.formData()
  } catch {
    throw new BadRequestError(messages.errors.badRequest)
  }
  if (!csrfTokenMatches(form.get(CSRF_FIELD), session.csrf)) throw new ForbiddenError(messages.session.csrf)
  return form
}

/**
 * The client address recorded in audit events: the last one added to X-Forwarded-For (by the
 * reverse proxy, or by Next.js itself when the client sent none).
 */
export function clientIp(request: Request): string {
  return request.headers.get('x-forwarded-for')?.split(',').at(-1)?.trim() || 'inconnue'
}

/** What a portal form receives (ActionForm): a message, field errors, and where to go next. */
export interface ActionResult {
  message?: string
  fieldErrors?: FieldErrors
  redirect?: string
  /** Milliseconds to show the message before following `redirect`. */
  redirectDelay?: number
}

/** ActionForm's fetch asks for JSON; a form posted by the browser itself (no JavaScript) does not. */
const wantsJson = (request: Request) => (request.headers.get('accept') ?? '').includes('application/json')

/** The portal page the form was posted from (a same-origin Referer), else `fallback`. */
function pageOf(context: PortalContext, request: Request, fallback: string): string {
  try {
    const referer = new URL(request.headers.get('referer') ?? '')
    if (referer.origin === new URL(context.config.portal.url).origin) return safeReturnTo(`${referer.pathname}${referer.search}`) ?? fallback
  } catch {
    // No Referer, or not a URL: the handler's own page.
  }
  return fallback
}

/** What was typed in a refused form, to fill it again (never the CSRF token). */
async function typedValues(submitted: Request): Promise<Record<string, string>> {
  try {
    const form = await submitted.formData()
    return Object.fromEntries([...form.entries()].filter(([name, value]) => name !== CSRF_FIELD && typeof value === 'string') as [string, string][])
  } catch {
    return {}
  }
}

function setFlash({ config, now }: PortalContext, response: NextResponse, flash: Flash): void {
  response.cookies.set(FLASH_COOKIE, sealFlash(flash, config.secrets.portalSessionSecret, now()), cookieOptions(config.portal.url, FLASH_LIFETIME / 1000))
}

function redirectWithFlash(context: PortalContext, path: string, flash: Flash | undefined): Response {
  const response = NextResponse.redirect(new URL(path, context.config.portal.url), 303)
  response.headers.set('Cache-Control', 'no-store')
  if (flash) setFlash(context, response, flash)
  return response
}

/**
 * Runs a form action. ActionForm's fetch gets JSON with the right status (400, 401, 403, 404,
 * 409, 429 with Retry-After…). A form posted without JavaScript gets a 303 back to its page
 * (`fallbackPage` when the browser sent no Referer), or to where the action leads, with the
 * outcome in a flash cookie (see flash.ts): the message, each field's errors and what was typed.
 */
export async function handleAction(context: PortalContext, request: Request, fallbackPage: string, action: () => Promise<ActionResult>): Promise<Response> {
  const plainForm = !wantsJson(request)
  const submitted = plainForm ? request.clone() : undefined
  try {
    const result = await action()
    // A message shown "before being redirected" belongs to the page left behind; one that leads
    // straight to another page goes there with it, with or without JavaScript.
    const carried = result.message && result.redirectDelay === undefined && (plainForm || result.redirect) ? { ok: true, message: result.message } : undefined
    if (plainForm) return redirectWithFlash(context, result.redirect ?? pageOf(context, request, fallbackPage), carried)
    const response = NextResponse.json(result, { status: 200, headers: { 'Cache-Control': 'no-store' } })
    if (carried) setFlash(context, response, carried)
    return response
  } catch (caught) {
    const error = isAppError(caught) && caught.expose ? caught : undefined
    if (!error) context.logger.error({ err: caught }, 'portal action failed')
    const message = error?.message ?? UNEXPECTED_ERROR
    const fieldErrors = error && Object.keys(error.fieldErrors).length > 0 ? error.fieldErrors : undefined
    if (plainForm) {
      const page = pageOf(context, request, fallbackPage)
      if (error?.status === 401) return redirectWithFlash(context, `/auth/login?returnTo=${encodeURIComponent(page)}`, undefined)
      return redirectWithFlash(context, page, { ok: false, message, form: new URL(request.url).pathname, fieldErrors, values: await typedValues(submitted!) })
    }
    const body: ActionResult = { message, ...(fieldErrors ? { fieldErrors } : {}), ...(error?.status === 401 ? { redirect: '/auth/login' } : {}) }
    return NextResponse.json(body, { status: error?.status ?? 500, headers: { 'Cache-Control': 'no-store', ...error?.headers() } })
  }
}
