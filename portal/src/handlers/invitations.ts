import { NextResponse } from 'next/server'
import { z } from 'zod'
import { BadRequestError, isAppError } from '@opcommerce/shared/errors'
import { readForm } from '@opcommerce/shared/forms'
import type { PortalContext } from '@/lib/context'
import { messages } from '@/lib/messages'
import { clientIp, handleAction, readSession, requireSession, verifyForm } from './http'
import { companyPage, parseParam, sirenParam } from './params'

const invitationIdParam = z.uuid()
const invitationAction = z.enum(['resend', 'cancel'])

/** POST /api/entreprises/:siren/invitations: "Inviter un collègue". */
export function inviteHandler(context: PortalContext, request: Request, sirenInput: string): Promise<Response> {
  return handleAction(context, request, companyPage(sirenInput, '/utilisateurs'), async () => {
    const session = await requireSession(context, request)
    const form = readForm(await verifyForm(context, request, session), ['email', 'role'])
    const email = await context.invitations.invite(session.user, parseParam(sirenParam, sirenInput), form, clientIp(request))
    return { message: messages.invitations.sent(email) }
  })
}

/** POST /api/entreprises/:siren/invitations/:id: "Renvoyer l'invitation", "Annuler l'invitation". */
export function invitationActionHandler(context: PortalContext, request: Request, sirenInput: string, idInput: string): Promise<Response> {
  return handleAction(context, request, companyPage(sirenInput, '/utilisateurs'), async () => {
    const session = await requireSession(context, request)
    const form = readForm(await verifyForm(context, request, session), ['action'])
    const siren = parseParam(sirenParam, sirenInput)
    const id = parseParam(invitationIdParam, idInput)
    const action = invitationAction.safeParse(form.action)
    if (!action.success) throw new BadRequestError(messages.errors.badRequest)
    if (action.data === 'resend') return { message: messages.invitations.resent(await context.invitations.resend(session.user, siren, id, clientIp(request))) }
    return { message: messages.invitations.cancelled(await context.invitations.cancel(session.user, siren, id, clientIp(request))) }
  })
}

/** Where a link that cannot be used explains why (a key of messages.invitations.link, never text). */
const problemPage = (problem: keyof typeof messages.invitations.link) => `/invitation?probleme=${problem}`

/**
 * GET /invitation/:token, the link of the invitation mail. Signed in with the invited address:
 * the access is activated and the company home opens. Not signed in: to the login (then back
 * here) when the address has a user, else to the idp's "Créer un compte" with the address
 * filled in and proven by the invitation.
 */
export async function openInvitationHandler(context: PortalContext, request: Request, token: string): Promise<Response> {
  const { config } = context
  const go = (location: string) => {
    const response = NextResponse.redirect(new URL(location, config.portal.url), 303)
    response.headers.set('Cache-Control', 'no-store')
    response.headers.set('Referrer-Policy', 'no-referrer')
    return response
  }
  const inspected = await context.invitations.inspect(token)
  if (inspected.status !== 'valid') return go(problemPage(inspected.status))
  const session = await readSession(context, request)
  if (!session) {
    if (inspected.registered) return go(`/auth/login?returnTo=${encodeURIComponent(`/invitation/${token}`)}`)
    return go(`${config.idp.issuer}/inscription?invitation=${encodeURIComponent(token)}`)
  }
  try {
    const company = await context.invitations.accept(session.user, token, clientIp(request))
    return go(`/entreprises/${company.siren}`)
  } catch (error) {
    if (!isAppError(error) || !error.expose) throw error
    if (error.status === 403) return go(problemPage('otherUser'))
    // Accepted, cancelled or expired between the two steps: the next look says which.
    const again = await context.invitations.inspect(token)
    return go(problemPage(again.status === 'valid' ? 'unknown' : again.status))
  }
}
