import type Router from '@koa/router'
import type { Context } from 'koa'
import { readForm } from '@opcommerce/shared/forms'
import { accountOf, finishAccountSignIn, requireSignedIn } from '../http/account-session'
import { errorForForm } from '../http/errors'
import { messages } from '../messages'
import { accountHomePage, identityPage, loggedOutEverywherePage, passwordPage, sessionsPage } from '../views/account'
import type { RouteDependencies } from './context'

/** « Mon compte »: the end of its sign-in (http/account-session.ts), its home, identity, password and sessions. */
export function accountRoutes(router: Router, deps: RouteDependencies): void {
  const { accountSessions, accountProfile, config } = deps
  const portalUrl = config.portal.url
  const signedIn = requireSignedIn(deps)

  router.get('/compte/retour', async (ctx) => {
    ctx.set('Cache-Control', 'no-store')
    ctx.status = 303
    ctx.redirect(await finishAccountSignIn(ctx, deps))
  })

  router.get('/compte', signedIn, (ctx) => {
    ctx.body = accountHomePage({ account: accountOf(ctx), portalUrl })
  })

  router.get('/compte/identite', signedIn, (ctx) => {
    ctx.body = identityPage({ csrf: ctx.state.csrf, user: accountOf(ctx).user, portalUrl })
  })

  router.post('/compte/identite', signedIn, async (ctx) => {
    const account = accountOf(ctx)
    const form = readForm(ctx.request.body, ['given_name', 'family_name'])
    try {
      await accountProfile.changeNames(account, form, ctx.ip)
      const user = { ...account.user, givenName: form.given_name.trim(), familyName: form.family_name.trim() }
      ctx.body = identityPage({ csrf: ctx.state.csrf, user, portalUrl, notice: messages.account.namesChanged })
    } catch (error) {
      const problem = errorForForm(ctx, error)
      ctx.body = identityPage({ csrf: ctx.state.csrf, user: account.user, portalUrl, values: form, formError: problem.message, fieldErrors: problem.fieldErrors })
    }
  })

  router.get('/compte/mot-de-passe', signedIn, (ctx) => {
    ctx.body = passwordPage({ csrf: ctx.state.csrf, user: accountOf(ctx).user, portalUrl })
  })

  router.post('/compte/mot-de-passe', signedIn, async (ctx) => {
    const account = accountOf(ctx)
    const form = readForm(ctx.request.body, ['current_password', 'password', 'password_confirmation'])
    try {
      await accountProfile.changePassword(account, form, ctx.ip)
      ctx.body = passwordPage({ csrf: ctx.state.csrf, user: account.user, portalUrl, notice: messages.account.passwordChanged })
    } catch (error) {
      const problem = errorForForm(ctx, error)
      ctx.body = passwordPage({ csrf: ctx.state.csrf, user: account.user, portalUrl, formError: problem.message, fieldErrors: problem.fieldErrors })
    }
  })

  const showSessions = async (ctx: Context, outcome: { notice?: string; formError?: string } = {}) => {
    const account = accountOf(ctx)
    ctx.body = sessionsPage({ csrf: ctx.state.csrf, sessions: await accountSessions.list(account), currentUid: account.sessionUid, portalUrl, ...outcome })
  }

  router.get('/compte/sessions', signedIn, (ctx) => showSessions(ctx))

  router.post('/compte/sessions/fin', signedIn, async (ctx) => {
    const { session } = readForm(ctx.request.body, ['session'])
    try {
      const ended = await accountSessions.endSession(accountOf(ctx), session, ctx.ip)
      if (!ended) ctx.status = 404
      await showSessions(ctx, ended ? { notice: messages.account.sessionEnded } : { formError: messages.account.sessionGone })
    } catch (error) {
      await showSessions(ctx, { formError: errorForForm(ctx, error).message })
    }
  })

  router.post('/compte/sessions/partout', signedIn, async (ctx) => {
    await accountSessions.endAll(accountOf(ctx), ctx.ip)
    ctx.body = loggedOutEverywherePage(portalUrl)
  })
}
