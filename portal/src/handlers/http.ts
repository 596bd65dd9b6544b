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
import { cookieNames, cookieOf } from '@/lib/cookies'
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

/**
 * Reads a posted form (bounded) and checks that it comes from one of the portal's pages: the
 * browser's Sec-Fetch-Site and Origin when it sends them, and the CSRF field against the session
 * (double submit) always.
 */
export async function verifyForm(context: PortalContext, request: Request, session: PortalSession): Promise<FormData> {
  if (crossSiteRequest(request.headers.get('sec-fetch-site') ?? '', request.headers.get('origin') ?? '', new URL(context.config.portal.url).origin)) {
    throw new ForbiddenError(messages.session.crossSite)
  }
  const body = await readBoundedBody(request)
  let form: FormData
  try {
    form = await new Response(body, { headers: { 'content-type': request.headers.get('content-type') ?? '' } }).formData()
  } catch {
    throw new BadRequestError(messages.errors.badRequest)
  }
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

/** Runs a form action and turns its errors into the JSON a form displays, with the right status. */
export async function handleAction(context: PortalContext, action: () => Promise<ActionResult>): Promise<Response> {
  try {
    return NextResponse.json(await action(), { status: 200, headers: { 'Cache-Control': 'no-store' } })
  } catch (caught) {
    const error = toAppError(context, caught)
    const body: ActionResult = {
      message: error.expose ? error.message : UNEXPECTED_ERROR,
      ...(Object.keys(error.fieldErrors).length > 0 ? { fieldErrors: error.fieldErrors } : {}),
      ...(error.status === 401 ? { redirect: '/auth/login' } : {}),
    }
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
