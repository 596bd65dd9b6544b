import { z } from 'zod'
import { BadRequestError } from '@opcommerce/shared/errors'
import { readForm } from '@opcommerce/shared/forms'
import type { PortalContext } from '@/lib/context'
import { messages } from '@/lib/messages'
import { clientIp, handleAction, requireSession, verifyForm } from './http'
import { companyPage, parseParam, sirenParam } from './params'

const requirement = z.enum(['require', 'release'])

/** POST /api/entreprises/:siren/double-authentification: require a second factor of the members, or not ("Gérer les utilisateurs"). */
export function twoFactorRequirementHandler(context: PortalContext, request: Request, sirenInput: string): Promise<Response> {
  return handleAction(context, request, companyPage(sirenInput, '/utilisateurs'), async () => {
    const session = await requireSession(context, request)
    const form = readForm(await verifyForm(context, request, session), ['action'])
    const siren = parseParam(sirenParam, sirenInput)
    const action = requirement.safeParse(form.action)
    if (!action.success) throw new BadRequestError(messages.errors.badRequest)
    return { message: await context.twoFactor.set(session.user, siren, action.data === 'require', clientIp(request)) }
  })
}
