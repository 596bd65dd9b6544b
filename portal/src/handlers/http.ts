import { NextResponse } from 'next/server'
import { isDatabaseUnavailable } from '@opcommerce/shared/db/knex'
import {
  AppError,
  BadRequestError,
  ForbiddenError,
  isAppError,
  ServiceUnavailableError,
  UnauthorizedError,
  UNEXPECTED_ERROR,
  type FieldErrors,
} from '@opcommerce/shared/errors'
import { CSRF_FIELD, crossSiteRequest, csrfTokenMatches } from '@opcommerce/shared/forms'
import { html } from '@opcommerce/shared/html'
import { portalContext, type PortalContext } from '@/lib/context'
import { messages } from '@/lib/messages'
import { cookieNames, cookieOf, cookieOptions } from '@/lib/cookies'
import { FLASH_LIFETIME, sealFlash, type Flash } from '@/lib/flash'
import { safeReturnTo } from '@/lib/pending-login'
import type { PortalSession } from '@/lib/portal-sessions'

/** The largest form a route handler reads; the portal's forms are a few hundred bytes. */
export const FORM_BODY_LIMIT = 16 * 1024 // bytes

export function readSession(context: PortalContext, request: Request): Promise<PortalSession | undefined> {
  return context.sessions.resume(cookieOf(request, cookieNames(context.config).session))
}

export async function requireSession(context: PortalContext, request: Request): Promise<PortalSession> {
  const session = await readSession(context, request)
  if (!session) throw new UnauthorizedError(messages.session.required)
  return session
}

/** The body of a request, FORM_BODY_LIMIT bytes at most, read as it arrives: a larger one is refused (413) without being buffered. */
async function readBoundedBody(request: Request): Promise<Blob> {
  const tooLarge = new AppError(413, messages.errors.tooLarge)
  if (Number(request.headers.get('content-length') ?? 0) > FORM_BODY_LIMIT) throw tooLarge
  const chunks: Uint8Array<ArrayBuffer>[] = []
  let received = 0
  const reader = request.body?.getReader()
  if (!reader) return new Blob()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    received += value.byteLength
    if (received > FORM_BODY_LIMIT) {
      await reader.cancel()
      throw tooLarge
    }
    chunks.push(value as Uint8Array<ArrayBuffer>)
  }
  return new Blob(chunks)
}

/** A posted form, FORM_BODY_LIMIT bytes at most. */
async function readBoundedForm(request: Request): Promise<FormData> {
  const body = await readBoundedBody(request)
  try {
    return await new Response(body, { headers: { 'content-type': request.headers.get('content-type') ?? '' } }).formData()
  } catch {
    throw new BadRequestError(messages.errors.badRequest)
  }
}

/**
 * Reads a posted form (bounded) and checks that it comes from one of the portal's pages: the
 * browser's Sec-Fetch-Site and Origin when it sends them, and the CSRF field against the session
 * (double submit) always.
 */
export async function verifyForm(context: PortalContext, request: Request, session: PortalSession): Promise<FormData> {
  if (crossSiteRequest(request.headers.get('sec-fetch-site') ?? '', request.headers.get('origin') ?? '', new URL(context.config.portal.url).origin)) {
    throw new ForbiddenError(messages.session.crossSite)
  }
  const form = await readBoundedForm(request)
  if (!csrfTokenMatches(form.get(CSRF_FIELD), session.csrf)) throw new ForbiddenError(messages.session.csrf)
  return form
}

/**
 * The client address recorded in audit events and counted by per-IP limits: the last one added
 * to X-Forwarded-For (by the reverse proxy, or by Next.js itself when the client sent none).
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

/** Ours, a database that went away (503), or an unexpected error (500, logged). */
function toAppError(context: PortalContext, caught: unknown): AppError {
  if (isAppError(caught) && caught.expose) return caught
  if (isDatabaseUnavailable(caught)) {
    context.logger.warn({ err: caught }, 'database unavailable')
    return new ServiceUnavailableError(caught)
  }
  context.logger.error({ err: caught }, 'portal action failed')
  return new AppError(500, UNEXPECTED_ERROR, { expose: false })
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

/** What was typed in a refused form, to fill it again (never the CSRF token); bounded like every form. */
async function typedValues(submitted: Request): Promise<Record<string, string>> {
  try {
    const values: Record<string, string> = {}
    ;(await readBoundedForm(submitted)).forEach((value, name) => {
      if (name !== CSRF_FIELD && typeof value === 'string') values[name] = value
    })
    return values
  } catch {
    return {}
  }
}

function setFlash({ config, now }: PortalContext, response: NextResponse, flash: Flash): void {
  response.cookies.set(cookieNames(config).flash, sealFlash(flash, config.secrets.portalSessionSecret, now()), cookieOptions(config.portal.url, FLASH_LIFETIME / 1000))
}

function redirectWithFlash(context: PortalContext, path: string, flash: Flash | undefined): Response {
  const response = NextResponse.redirect(new URL(path, context.config.portal.url), 303)
  response.headers.set('Cache-Control', 'no-store')
  if (flash) setFlash(context, response, flash)
  return response
}

/**
 * Runs a form action. ActionForm's fetch gets JSON with the right status (400, 401, 403, 404,
 * 409, 413, 429 with Retry-After, 503…). A form posted without JavaScript gets a 303 back to its
 * page (`fallbackPage` when the browser sent no Referer), or to where the action leads, with the
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
    const error = toAppError(context, caught)
    const message = error.expose ? error.message : UNEXPECTED_ERROR
    const fieldErrors = Object.keys(error.fieldErrors).length > 0 ? error.fieldErrors : undefined
    if (plainForm) {
      if (error.status === 503) return errorPageResponse(error)
      const page = pageOf(context, request, fallbackPage)
      if (error.status === 401) return redirectWithFlash(context, `/auth/login?returnTo=${encodeURIComponent(page)}`, undefined)
      return redirectWithFlash(context, page, { ok: false, message, form: new URL(request.url).pathname, fieldErrors, values: await typedValues(submitted!) })
    }
    const body: ActionResult = { message, ...(fieldErrors ? { fieldErrors } : {}), ...(error.status === 401 ? { redirect: '/auth/login' } : {}) }
    return NextResponse.json(body, { status: error.status, headers: { 'Cache-Control': 'no-store', ...error.headers() } })
  }
}

/** A French page for a browser that followed a link to a route (login, callback, logout) that could not be served. */
export function errorPageResponse(error: AppError): Response {
  const message = error.expose ? error.message : UNEXPECTED_ERROR
  const page = html`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Web Services Entreprise</title></head>
<body><main><h1>${error.status === 503 ? 'Service momentanément indisponible' : 'Erreur du service'}</h1><p role="alert">${message}</p><p><a href="/">Retour à l'accueil</a></p></main></body></html>`
  return new Response(page.value, { status: error.status, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...error.headers() } })
}

/** Runs a route a browser navigates to (login, callback, logout): its failures become a French page, never a bare 500. */
export async function handleNavigation(context: PortalContext, route: () => Promise<Response>): Promise<Response> {
  try {
    return await route()
  } catch (caught) {
    return errorPageResponse(toAppError(context, caught))
  }
}

/** 503 while the database is away, as a page. */
export const unavailableResponse = () => errorPageResponse(new ServiceUnavailableError())

/**
 * What every route file runs: the process's context (its database may be away: 503), then the
 * route, whose failures become a page (`page`: a browser navigates there) or JSON (`json`: a
 * form's fetch, whose handler answers its own errors).
 */
export async function serve(kind: 'page' | 'json', route: (context: PortalContext) => Promise<Response>): Promise<Response> {
  let context: PortalContext
  try {
    context = await portalContext()
  } catch (caught) {
    if (!isDatabaseUnavailable(caught)) throw caught
    const error = new ServiceUnavailableError(caught)
    return kind === 'page' ? errorPageResponse(error) : NextResponse.json({ message: error.message } satisfies ActionResult, { status: 503, headers: error.headers() })
  }
  return kind === 'page' ? handleNavigation(context, () => route(context)) : route(context)
}
