import type Router from '@koa/router'
import type { Context } from 'koa'
import { readForm } from '@opcommerce/shared/forms'
import { accountOf, requireSignedIn } from '../http/account-session'
import { errorForForm } from '../http/errors'
import type { EmailChangeLink } from '../libraries/email-change'
import { messages } from '../messages'
import { emailLinkOutcomePage, emailLinkPage, emailPage } from '../views/account-email'
import { linkProblemStatus, type RouteDependencies } from './context'

/**
 * « Adresse email » of « Mon compte », and the two links its mails carry: the validation link
 * (new address) and the cancel link (old address), which work without being signed in.
 */
export function accountEmailRoutes(router: Router, deps: RouteDependencies): void {
  const { emailChange, config } = deps
  const portalUrl = config.portal.url
  const signedIn = requireSignedIn(deps)

  router.get('/compte/adresse-email', signedIn, async (ctx) => {
    const account = accountOf(ctx)
    ctx.body = emailPage({ csrf: ctx.state.csrf, user: account.user, pending: await emailChange.pendingOf(account), portalUrl })
  })

  router.post('/compte/adresse-email', signedIn, async (ctx) => {
    const account = accountOf(ctx)
    const form = readForm(ctx.request.body, ['email', 'current_password'])
    try {
      const email = await emailChange.request(account, form, ctx.ip)
      ctx.body = emailPage({ csrf: ctx.state.csrf, user: account.user, pending: undefined, portalUrl, notice: messages.account.emailChangeRequested(email) })
    } catch (error) {
      const problem = errorForForm(ctx, error)
      const pending = await emailChange.pendingOf(account)
      ctx.body = emailPage({ csrf: ctx.state.csrf, user: account.user, pending, portalUrl, values: { email: form.email }, formError: problem.message, fieldErrors: problem.fieldErrors })
    }
  })

  /** A link that cannot be used says why: 404 it never existed, 410 it is gone. */
  const linkProblem = (ctx: Context, status: keyof typeof messages.account.emailLink) => {
    ctx.status = linkProblemStatus(status)
    ctx.body = emailLinkOutcomePage({ kind: 'error', message: messages.account.emailLink[status], portalUrl })
  }

  /** A usable link's page asks for a press of the button. */
  const showLink = (ctx: Context, link: EmailChangeLink, kind: 'validate' | 'cancel', action: string) => {
    ctx.set('Cache-Control', 'no-store')
    if (link.status === 'valid') ctx.body = emailLinkPage({ csrf: ctx.state.csrf, action, kind, change: link.change })
    else linkProblem(ctx, link.status)
  }

  router.get('/adresse-email/:token', async (ctx) => {
    showLink(ctx, await emailChange.validationLinkState(ctx.params.token!), 'validate', ctx.path)
  })

  router.post('/adresse-email/:token', async (ctx) => {
    const outcome = await emailChange.validate(ctx.params.token!, ctx.ip)
    ctx.set('Cache-Control', 'no-store')
    if (outcome.status === 'validated') {
      ctx.body = emailLinkOutcomePage({ kind: 'success', message: messages.account.emailChanged(outcome.email), portalUrl })
    } else if (outcome.status === 'taken') {
      ctx.status = 409
      ctx.body = emailLinkOutcomePage({ kind: 'error', message: messages.account.emailTaken, portalUrl })
    } else linkProblem(ctx, outcome.status)
  })

  router.get('/adresse-email/annulation/:token', async (ctx) => {
    showLink(ctx, await emailChange.cancelLinkState(ctx.params.token!), 'cancel', ctx.path)
  })

  router.post('/adresse-email/annulation/:token', async (ctx) => {
    const outcome = await emailChange.cancel(ctx.params.token!, ctx.ip)
    ctx.set('Cache-Control', 'no-store')
    if (outcome.status === 'cancelled') {
      ctx.body = emailLinkOutcomePage({ kind: 'success', message: messages.account.emailChangeCancelled(outcome.email), portalUrl })
    } else if (outcome.status === 'undone') {
      ctx.body = emailLinkOutcomePage({ kind: 'success', message: messages.account.emailChangeUndone(outcome.email), portalUrl, loginHref: '/mot-de-passe-oublie' })
    } else linkProblem(ctx, outcome.status)
  })
}
