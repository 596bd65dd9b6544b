import { z } from 'zod'
import { BadRequestError } from '@opcommerce/shared/errors'
import { readForm } from '@opcommerce/shared/forms'
import type { PortalContext } from '@/lib/context'
import { messages } from '@/lib/messages'
import { clientIp, handleAction, requireSession, verifyForm } from './http'
import { companyPage, parseParam, sirenParam } from './params'

const domainAction = z.enum(['declare', 'withdraw'])

/** POST /api/entreprises/:siren/domaines: declare or withdraw a trusted email domain ("Gérer les utilisateurs"). */
export function domainActionHandler(context: PortalContext, request: Request, sirenInput: string): Promise<Response> {
  return handleAction(context, request, companyPage(sirenInput, '/utilisateurs'), async () => {
    const session = await requireSession(context, request)
    const form = readForm(await verifyForm(context, request, session), ['action', 'domain'])
    const siren = parseParam(sirenParam, sirenInput)
    const action = domainAction.safeParse(form.action)
    if (!action.success) throw new BadRequestError(messages.errors.badRequest)
    if (action.data === 'declare') return { message: messages.domains.added(await context.domains.declare(session.user, siren, form, clientIp(request))) }
    return { message: messages.domains.removed(await context.domains.withdraw(session.user, siren, form, clientIp(request))) }
  })
}
