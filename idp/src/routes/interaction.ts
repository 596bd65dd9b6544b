import type Router from '@koa/router'
import type { Context } from 'koa'
import { BadRequestError } from '@opcommerce/shared/errors'
import { readForm } from '@opcommerce/shared/forms'
import { errorForForm } from '../http/errors'
import { knownDevice, rememberDevice } from '../http/device-cookie'
import { rememberPendingRegistration } from '../http/pending-registration'
import { countLogin, countLoginRefusal } from '../metrics'
import { canReachEssentialAcr, multiFactorRequired } from '../libraries/authentication-context'
import { interactionSteps } from '../http/interactions'
import { messages } from '../messages'
import { consentPage, loginPage } from '../views/interaction'
import type { RouteDependencies } from './context'

export function interactionRoutes(router: Router, deps: RouteDependencies): void {
  const { interactionOf, clientName, finish, finishLogin, saveLoginInProgress } = interactionSteps(deps)

  /** After a right password: the login ends, or goes on to its second factor (verify or enrol). */
  async function afterPassword(ctx: Context, uid: string, params: Record<string, unknown>, accountId: string): Promise<void> {
    const next = await deps.secondFactor.afterPassword(accountId, { multiFactorRequired: multiFactorRequired(params) })
    if (next.kind === 'done') return finishLogin(ctx, accountId, ['pwd'])
    const enrol = next.kind === 'enrol' ? { companies: next.companies, requiredByApplication: next.requiredByApplication } : undefined
    await saveLoginInProgress(uid, { accountId, methods: ['pwd'], enrol })
    ctx.status = 303
    ctx.redirect(`/interaction/${uid}/${enrol ? 'enrolment' : 'second-factor'}`)
  }

  router.get('/interaction/:uid', async (ctx) => {
    const { uid, prompt, params } = await interactionOf(ctx)
    ctx.set('Cache-Control', 'no-store')
    const name = await clientName(params.client_id)
    const essentialAcr = prompt.details.acr as { value?: unknown; values?: unknown } | undefined
    if (prompt.name === 'login' && essentialAcr && !canReachEssentialAcr(essentialAcr)) {
      // The unmet_authentication_requirements error code of OpenID Connect for Core §5.5.1.1.
      return finish(ctx, { error: 'unmet_authentication_requirements', error_description: 'none of the requested acr values can be reached' })
    }
    if (prompt.name === 'login') {
      ctx.body = loginPage({ uid, csrf: ctx.state.csrf, clientName: name, email: typeof params.login_hint === 'string' ? params.login_hint : undefined })
      return
    }
    const scopes = typeof params.scope === 'string' ? params.scope.split(' ') : []
    ctx.body = consentPage({ uid, csrf: ctx.state.csrf, clientName: name ?? String(params.client_id), scopes })
  })

  router.post('/interaction/:uid/login', async (ctx) => {
    const { uid, prompt, params } = await interactionOf(ctx)
    if (prompt.name !== 'login') throw new BadRequestError(messages.login.expired)
    const form = readForm(ctx.request.body, ['email', 'password'])
    const page = async (options: { error?: string; fieldErrors?: Record<string, string[]>; unvalidated?: boolean }) => {
      ctx.body = loginPage({ uid, csrf: ctx.state.csrf, clientName: await clientName(params.client_id), email: form.email, ...options })
    }
    try {
      const result = await deps.login.authenticate(form, ctx.ip, knownDevice(ctx, deps.cookies))
      if (result.status === 'unvalidated') {
        countLogin('unvalidated')
        rememberPendingRegistration(ctx, deps.cookies, { id: result.id, email: result.email, interaction: uid })
        ctx.status = 403
        return await page({ unvalidated: true })
      }
      countLogin('success')
      rememberDevice(ctx, deps.cookies, result.userId)
      await afterPassword(ctx, uid, params, result.userId)
    } catch (error) {
      countLoginRefusal(error)
      const problem = errorForForm(ctx, error)
      await page({ error: problem.message, fieldErrors: problem.fieldErrors })
    }
  })

  router.post('/interaction/:uid/consent', async (ctx) => {
    const { prompt, params, session, grantId } = await interactionOf(ctx)
    if (prompt.name !== 'consent' || !session) throw new BadRequestError(messages.login.expired)
    const grant = grantId
      ? await deps.provider.Grant.find(grantId)
      : new deps.provider.Grant({ accountId: session.accountId, clientId: String(params.client_id) })
    if (!grant) throw new BadRequestError(messages.login.expired)
    const missing = prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> }
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '))
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims)
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '))
    const savedGrantId = await grant.save()
    await finish(ctx, { consent: grantId ? {} : { grantId: savedGrantId } })
  })

  router.post('/interaction/:uid/abort', async (ctx) => {
    await interactionOf(ctx)
    await finish(ctx, { error: 'access_denied', error_description: messages.consent.denied })
  })
}
