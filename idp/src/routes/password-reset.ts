import type Router from '@koa/router'
import { readForm } from '@opcommerce/shared/forms'
import { rememberDevice } from '../http/device-cookie'
import { errorForForm } from '../http/errors'
import type { Context } from 'koa'
import type { LinkProblem } from '../libraries/email-tokens'
import { messages } from '../messages'
import { forgotPasswordPage, passwordChangedPage, resetLinkProblemPage, resetPasswordPage } from '../views/password-reset'
import { linkProblemStatus, loginHref, type RouteDependencies } from './context'

function showLinkProblem(ctx: Context, problem: LinkProblem): void {
  ctx.status = linkProblemStatus(problem)
  ctx.body = resetLinkProblemPage(messages.reset.link[problem])
}

export function passwordResetRoutes(router: Router, deps: RouteDependencies): void {
  const { passwordReset, config } = deps

  router.get('/mot-de-passe-oublie', async (ctx) => {
    const interaction = typeof ctx.query.interaction === 'string' ? ctx.query.interaction : undefined
    ctx.body = forgotPasswordPage({ csrf: ctx.state.csrf, interaction, loginHref: await loginHref(deps, interaction) })
  })

  router.post('/mot-de-passe-oublie', async (ctx) => {
    const form = readForm(ctx.request.body, ['email', 'interaction'])
    const interaction = form.interaction || undefined
    const href = await loginHref(deps, interaction)
    try {
      await passwordReset.request(form, ctx.ip)
      ctx.body = forgotPasswordPage({ csrf: ctx.state.csrf, interaction, loginHref: href, requested: true })
    } catch (error) {
      const problem = errorForForm(ctx, error)
      ctx.body = forgotPasswordPage({
        csrf: ctx.state.csrf,
        interaction,
        loginHref: href,
        email: form.email,
        fieldErrors: problem.fieldErrors,
        formError: problem.message,
      })
    }
  })

  router.get('/mot-de-passe/:token', async (ctx) => {
    const state = await passwordReset.linkState(ctx.params.token!)
    ctx.set('Cache-Control', 'no-store')
    if (state !== 'valid') return showLinkProblem(ctx, state)
    ctx.body = resetPasswordPage({ csrf: ctx.state.csrf, token: ctx.params.token! })
  })

  router.post('/mot-de-passe/:token', async (ctx) => {
    const token = ctx.params.token!
    const form = readForm(ctx.request.body, ['password', 'password_confirmation'])
    try {
      const outcome = await passwordReset.reset(token, form, ctx.ip)
      if (outcome.status !== 'done') return showLinkProblem(ctx, outcome.status)
      // The link proved the mailbox: this browser is known to the account from now on.
      rememberDevice(ctx, deps.cookies, outcome.userId)
      ctx.body = passwordChangedPage(config.portal.loginUrl)
    } catch (error) {
      const problem = errorForForm(ctx, error)
      ctx.body = resetPasswordPage({ csrf: ctx.state.csrf, token, fieldErrors: problem.fieldErrors, formError: problem.message })
    }
  })
}
