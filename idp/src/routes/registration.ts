import type Router from '@koa/router'
import type { Context } from 'koa'
import { BadRequestError } from '@opcommerce/shared/errors'
import { readForm } from '@opcommerce/shared/forms'
import { PASSWORD_MAX_LENGTH } from '@opcommerce/shared/password-policy'
import { ipKey } from '@opcommerce/shared/rate-limits'
import { z } from 'zod'
import { errorForForm } from '../http/errors'
import { pendingRegistration, rememberPendingRegistration } from '../http/pending-registration'
import type { LinkProblem } from '../libraries/email-tokens'
import { measurePasswordStrength } from '../libraries/passwords'
import { REGISTRATION_FIELDS, type RegistrationInput } from '../libraries/registration'
import { countRegistration } from '../metrics'
import { messages } from '../messages'
import { fullName } from '@opcommerce/shared/users'
import { confirmValidationPage, registerPage, validatedPage, validationLinkProblemPage, validationSentPage } from '../views/registration'
import { linkProblemStatus, loginHref, type RouteDependencies } from './context'

const strengthRequest = z.object({ password: z.string().max(PASSWORD_MAX_LENGTH), inputs: z.array(z.string().max(256)).max(5).default([]) })

export function registrationRoutes(router: Router, deps: RouteDependencies): void {
  const { registration, limits, config, cookies } = deps

  /** The portal's page of an invitation link: it accepts it, or says why it cannot be used. */
  const invitationLink = (token: string) => `${config.portal.url}/invitation/${encodeURIComponent(token)}`

  router.get('/inscription', async (ctx) => {
    const interaction = typeof ctx.query.interaction === 'string' ? ctx.query.interaction : undefined
    const token = typeof ctx.query.invitation === 'string' ? ctx.query.invitation : undefined
    const invitation = token ? await registration.invitation(token) : undefined
    if (token && !invitation) return ctx.redirect(invitationLink(token))
    ctx.set('Referrer-Policy', 'no-referrer')
    ctx.body = registerPage({ csrf: ctx.state.csrf, interaction, loginHref: await loginHref(deps, interaction), invitation: invitation && token ? { token, ...invitation } : undefined })
  })

  router.post('/inscription', async (ctx) => {
    const { interaction: interactionField, invitation: token, ...form } = readForm(ctx.request.body, [...REGISTRATION_FIELDS, 'interaction', 'invitation'])
    const interaction = interactionField || undefined
    if (token) return registerInvited(ctx, form, token, interaction)
    try {
      const pending = await registration.register(form, ctx.ip)
      countRegistration('accepted')
      rememberPendingRegistration(ctx, cookies, { ...pending, interaction })
      ctx.status = 303
      ctx.redirect('/inscription/validation')
    } catch (error) {
      countRegistration({ refused: error })
      const problem = errorForForm(ctx, error)
      ctx.body = registerPage({
        csrf: ctx.state.csrf,
        interaction,
        loginHref: await loginHref(deps, interaction),
        values: form,
        fieldErrors: problem.fieldErrors,
        formError: problem.message,
      })
    }
  })

  /**
   * "Créer le compte" from an invitation: the user is validated at once, then logs in through
   * the invitation's link, which activates their access.
   */
  async function registerInvited(ctx: Context, form: RegistrationInput, token: string, interaction: string | undefined) {
    try {
      const outcome = await registration.registerInvited(form, token, ctx.ip)
      if (outcome === 'created') {
        ctx.body = validatedPage(invitationLink(token))
        return
      }
      ctx.status = 303
      ctx.redirect(invitationLink(token))
    } catch (error) {
      const problem = errorForForm(ctx, error)
      const invitation = await registration.invitation(token)
      if (!invitation) {
        ctx.status = 303
        return ctx.redirect(invitationLink(token))
      }
      ctx.body = registerPage({
        csrf: ctx.state.csrf,
        interaction,
        loginHref: await loginHref(deps, interaction),
        invitation: { token, ...invitation },
        values: form,
        fieldErrors: problem.fieldErrors,
        formError: problem.message,
      })
    }
  }

  router.post('/inscription/force-mot-de-passe', async (ctx) => {
    await limits.strengthPerIp.consume(ipKey(ctx.ip), messages.form.tooManyChecks)
    const request = strengthRequest.safeParse(ctx.request.body)
    if (!request.success) throw new BadRequestError(messages.form.badRequest)
    ctx.body = measurePasswordStrength(request.data.password, request.data.inputs)
  })

  router.get('/inscription/validation', async (ctx) => {
    const pending = pendingRegistration(ctx, cookies)
    if (!pending) return ctx.redirect(config.portal.loginUrl)
    ctx.body = validationSentPage({ csrf: ctx.state.csrf, email: pending.email, loginHref: await loginHref(deps, pending.interaction) })
  })

  router.post('/inscription/renvoyer', async (ctx) => {
    const pending = pendingRegistration(ctx, cookies)
    if (!pending) throw new BadRequestError(messages.validation.nothingPending)
    const page = async (notice: { kind: 'success' | 'error'; text: string }) =>
      validationSentPage({ csrf: ctx.state.csrf, email: pending.email, loginHref: await loginHref(deps, pending.interaction), notice })
    try {
      await registration.resendValidation(pending, ctx.ip)
      ctx.body = await page({ kind: 'success', text: messages.validation.resent })
    } catch (error) {
      ctx.body = await page({ kind: 'error', text: errorForForm(ctx, error).message })
    }
  })

  /** The outcome of a validation link, as its page says it. */
  async function showValidation(ctx: Context, outcome: 'done' | LinkProblem | 'used_validated'): Promise<void> {
    const href = await loginHref(deps, pendingRegistration(ctx, cookies)?.interaction)
    if (outcome === 'done') {
      ctx.body = validatedPage(href)
      return
    }
    ctx.status = linkProblemStatus(outcome)
    ctx.body = validationLinkProblemPage(messages.validation.link[outcome], href)
  }

  // Opened in the browser that registered, the link validates at once, as the guide shows.
  // Anywhere else (another device, a mail scanner that follows links), it shows a button first.
  router.get('/validation/:token', async (ctx) => {
    const token = ctx.params.token!
    ctx.set('Cache-Control', 'no-store')
    const state = await registration.validationState(token)
    if (state.status !== 'valid') return showValidation(ctx, state.status)
    if (pendingRegistration(ctx, cookies)?.id === state.registration.id) return showValidation(ctx, await registration.validateEmail(token, ctx.ip))
    const { registration: pending } = state
    ctx.body = confirmValidationPage({ csrf: ctx.state.csrf, token, email: pending.email, name: fullName(pending), requestedAt: pending.createdAt })
  })

  router.post('/validation/:token', async (ctx) => {
    await showValidation(ctx, await registration.validateEmail(ctx.params.token!, ctx.ip))
  })
}
