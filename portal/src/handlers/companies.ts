import { z } from 'zod'
import { BadRequestError } from '@opcommerce/shared/errors'
import { readForm } from '@opcommerce/shared/forms'
import { fullName } from '@opcommerce/shared/users'
import type { PortalContext } from '@/lib/context'
import { messages } from '@/lib/messages'
import { clientIp, handleAction, requireSession, verifyForm } from './http'
import { ADD_COMPANY_PAGE, companyPage, parseParam, sirenParam, userIdParam } from './params'

/**
 * How long "Vous allez être redirigé" stays on screen: long enough for a screen reader to say
 * it (the message is in a live region), short enough to feel immediate.
 */
const REDIRECT_DELAY = 1000 // milliseconds

/** POST /api/entreprises: "Ajouter cette entreprise". */
export function linkCompanyHandler(context: PortalContext, request: Request): Promise<Response> {
  return handleAction(context, request, ADD_COMPANY_PAGE, async () => {
    const session = await requireSession(context, request)
    const form = readForm(await verifyForm(context, request, session), ['siren', 'code'])
    const result = await context.memberships.linkCompany(session.user, form, clientIp(request))
    if (result.outcome === 'held') return { message: messages.link.held }
    const home = `/entreprises/${result.company.siren}`
    switch (result.outcome) {
      case 'admin':
        return { message: messages.link.becameAdmin, redirect: home, redirectDelay: REDIRECT_DELAY }
      case 'member_by_domain':
        return { message: messages.link.joinedByDomain, redirect: home, redirectDelay: REDIRECT_DELAY }
      case 'already_active':
        return { message: messages.link.alreadyActive, redirect: home, redirectDelay: REDIRECT_DELAY }
      case 'pending':
        return { message: messages.link.requestSent }
      case 'already_pending':
        return { message: messages.link.alreadyPending }
    }
  })
}

/** POST /api/entreprises/:siren/relance: "Relancer ma demande". */
export function remindHandler(context: PortalContext, request: Request, sirenInput: string): Promise<Response> {
  return handleAction(context, request, ADD_COMPANY_PAGE, async () => {
    const session = await requireSession(context, request)
    await verifyForm(context, request, session)
    await context.memberships.remindAdministrators(session.user, parseParam(sirenParam, sirenInput), clientIp(request))
    return { message: messages.reminder.sent }
  })
}

/** POST /api/entreprises/:siren/annulation: "Annuler ma demande". */
export function cancelRequestHandler(context: PortalContext, request: Request, sirenInput: string): Promise<Response> {
  return handleAction(context, request, ADD_COMPANY_PAGE, async () => {
    const session = await requireSession(context, request)
    await verifyForm(context, request, session)
    await context.memberships.cancelRequest(session.user, parseParam(sirenParam, sirenInput), clientIp(request))
    return { message: messages.request.cancelled }
  })
}

/** POST /api/entreprises/:siren/escalade: "Contacter l'Opcommerce". */
export function escalateHandler(context: PortalContext, request: Request, sirenInput: string): Promise<Response> {
  return handleAction(context, request, ADD_COMPANY_PAGE, async () => {
    const session = await requireSession(context, request)
    await verifyForm(context, request, session)
    await context.memberships.escalate(session.user, parseParam(sirenParam, sirenInput), clientIp(request))
    return { message: messages.request.escalated }
  })
}

const memberAction = z.enum(['approve', 'refuse', 'promote', 'demote', 'remove'])

/**
 * POST /api/entreprises/:siren/membres/:userId: the buttons of "Gérer les utilisateurs", and
 * "Quitter l'entreprise" (a member removing themselves).
 */
export function memberActionHandler(context: PortalContext, request: Request, sirenInput: string, userIdInput: string): Promise<Response> {
  return handleAction(context, request, companyPage(sirenInput, '/utilisateurs'), async () => {
    const session = await requireSession(context, request)
    const form = readForm(await verifyForm(context, request, session), ['action', 'reason'])
    const siren = parseParam(sirenParam, sirenInput)
    const userId = parseParam(userIdParam, userIdInput)
    const action = memberAction.safeParse(form.action)
    if (!action.success) throw new BadRequestError(messages.errors.badRequest)
    const actor = session.user
    const ip = clientIp(request)
    const { memberships } = context
    switch (action.data) {
      case 'approve':
        return { message: messages.members.approved(fullName(await memberships.approve(actor, siren, userId, ip))) }
      case 'refuse':
        return { message: messages.members.refused(fullName(await memberships.refuse(actor, siren, userId, form, ip))) }
      case 'promote':
        return { message: messages.members.promoted(fullName(await memberships.promote(actor, siren, userId, ip))) }
      case 'demote':
        return { message: messages.members.demoted(fullName(await memberships.demote(actor, siren, userId, ip))) }
      case 'remove': {
        const removed = await memberships.remove(actor, siren, userId, ip)
        return removed.id === actor.id ? { message: messages.members.left, redirect: '/mes-entreprises' } : { message: messages.members.removed(fullName(removed)) }
      }
    }
  })
}
