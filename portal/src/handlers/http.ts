import { NextResponse } from 'next/server'
import { BadRequestError, ForbiddenError, isAppError, UnauthorizedError, UNEXPECTED_ERROR, type FieldErrors } from '@opcommerce/shared/errors'
import { CSRF_FIELD, csrfTokenMatches } from '@opcommerce/shared/forms'
import type { PortalContext } from '@/lib/context'
import { messages } from '@/lib/messages'
import { cookieOf, SESSION_COOKIE } from '@/lib/cookies'
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

/** Runs a form action and turns its errors into the JSON a form displays, with the right status. */
export async function handleAction(context: PortalContext, action: () => Promise<ActionResult>): Promise<Response> {
  try {
    return NextResponse.json(await action(), { status: 200, headers: { 'Cache-Control': 'no-store' } })
  } catch (caught) {
    const error = isAppError(caught) ? caught : undefined
    if (!error?.expose) {
      context.logger.error({ err: caught }, 'portal action failed')
      return NextResponse.json({ message: UNEXPECTED_ERROR } satisfies ActionResult, { status: 500 })
    }
    const body: ActionResult = {
      message: error.message,
      ...(Object.keys(error.fieldErrors).length > 0 ? { fieldErrors: error.fieldErrors } : {}),
      ...(error.status === 401 ? { redirect: '/auth/login' } : {}),
    }
    return NextResponse.json(body, { status: error.status, headers: { 'Cache-Control': 'no-store', ...error.headers() } })
  }
}
