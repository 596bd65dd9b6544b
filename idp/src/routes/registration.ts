import type Router from '@koa/router'
import { AppError, ValidationError } from '@opcommerce/shared/errors'
import { PASSWORD_MAX_LENGTH } from '@opcommerce/shared/password-policy'
import { ipKey } from '@opcommerce/shared/rate-limits'
import { z } from 'zod'
import { errorForForm } from '../http/errors'
import { formText, parseForm, pendingRegistration, rememberPendingRegistration } from '../http/forms'
import { measurePasswordStrength } from '../libraries/passwords'
import { countRegistration } from '../metrics'
import { messages } from '../messages'
import { accountValidatedPage, registerPage, validationLinkProblemPage, validationSentPage } from '../views/account'
import { loginHref, type RouteDependencies } from './context'

const registrationForm = {
  email: formText,
  email_confirmation: formText,
  password: formText,
  password_confirmation: formText,
  given_name: formText,
  family_name: formText,
  interaction: formText,
}

const strengthRequest = z.object({ password: z.string().max(PASSWORD_MAX_LENGTH), inputs: z.array(z.string().max(256)).max(5).default([]) })

/** Statuses of a validation link that cannot validate. */
const LINK_PROBLEMS = {
  unknown: { status: 404, message: messages.validation.linkUnknown },
  expired: { status: 410, message: messages.validation.linkExpired },
  used: { status: 410, message: messages.validation.linkUsed },
  used_validated: { status: 410, message: messages.validation.linkUsedValidated },
} as const

export function registrationRoutes(router: Router, deps: RouteDependencies): void {
  const { registration, limits, config } = deps

  router.get('/inscription', async (ctx) => {
    const interaction = typeof ctx.query.interaction === 'string' ? ctx.query.interaction : undefined
    ctx.body = registerPage({ csrf: ctx.state.csrf, interaction, loginHref: await loginHref(deps, interaction) })
  })

  router.post('/inscription', async (ctx) => {
    const form = parseForm(ctx, registrationForm)
    const interaction = form.interaction || undefined
    try {
      const { email, credentials } = await registration.register(
        {
          email: form.email,
          emailConfirmation: form.email_confirmation,
          password: form.password,
          passwordConfirmation: form.password_confirmation,
          givenName: form.given_name,
          familyName: form.family_name,
        },
        ctx.ip,
      )
      countRegistration('accepted')
      rememberPendingRegistration(ctx, { email, credentials, interaction })
      ctx.status = 303
      ctx.redirect('/inscription/validation')
    } catch (error) {
      countRegistration({ refused: error })
      const problem = errorForForm(ctx, error)
      ctx.body = registerPage({
        csrf: ctx.state.csrf,
        interaction,
        loginHref: await loginHref(deps, interaction),
        values: { email: form.email, emailConfirmation: form.email_confirmation, givenName: form.given_name, familyName: form.family_name },
        fieldErrors: problem.fieldErrors,
        formError: problem.message,
      })
    }
  })

  router.post('/inscription/force-mot-de-passe', async (ctx) => {
    await limits.strengthPerIp.consume(ipKey(ctx.ip), messages.form.tooManyChecks)
    const request = strengthRequest.safeParse(ctx.request.body)
    if (!request.success) throw new ValidationError(messages.form.badRequest)
    ctx.body = measurePasswordStrength(request.data.password, request.data.inputs)
  })

  router.get('/inscription/validation', async (ctx) => {
    const pending = pendingRegistration(ctx)
    if (!pending) return ctx.redirect(config.portal.loginUrl)
    ctx.body = validationSentPage({ csrf: ctx.state.csrf, email: pending.email, loginHref: await loginHref(deps, pending.interaction) })
  })

  router.post('/inscription/renvoyer', async (ctx) => {
    const pending = pendingRegistration(ctx)
    if (!pending) throw new AppError(400, messages.validation.nothingPending)
    const page = async (notice: { kind: 'success' | 'error'; text: string }) =>
      validationSentPage({ csrf: ctx.state.csrf, email: pending.email, loginHref: await loginHref(deps, pending.interaction), notice })
    try {
      await registration.resendValidation(pending.email, pending.credentials, ctx.ip)
      ctx.body = await page({ kind: 'success', text: messages.validation.resent })
    } catch (error) {
      ctx.body = await page({ kind: 'error', text: errorForForm(ctx, error).message })
    }
  })

  router.get('/validation/:token', async (ctx) => {
    const outcome = await registration.validateEmail(ctx.params.token!, ctx.ip)
    const href = await loginHref(deps, pendingRegistration(ctx)?.interaction)
    if (outcome === 'validated') {
      ctx.body = accountValidatedPage(href)
      return
    }
    ctx.status = LINK_PROBLEMS[outcome].status
    ctx.body = validationLinkProblemPage(LINK_PROBLEMS[outcome].message, href)
  })
}
