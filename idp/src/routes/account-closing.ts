import type Router from '@koa/router'
import { readForm } from '@opcommerce/shared/forms'
import { accountOf, requireRecentLogin, requireSignedIn } from '../http/account-session'
import { errorForForm } from '../http/errors'
import { closedPage, closingPage, personalDataPage } from '../views/account-closing'
import type { RouteDependencies } from './context'

/** « Mes données » (RGPD articles 15 and 20) and « Fermer mon compte ». */
export function accountClosingRoutes(router: Router, deps: RouteDependencies): void {
  const { accountClosing, config, now } = deps
  const portalUrl = config.portal.url
  const signedIn = requireSignedIn(deps)

  router.get('/compte/donnees', signedIn, (ctx) => {
    ctx.body = personalDataPage({ portalUrl })
  })

  // Personal data leave the idp: only after a login of the last few minutes.
  router.get('/compte/donnees/telecharger', signedIn, async (ctx) => {
    if (!requireRecentLogin(ctx, deps, now())) return
    const data = await accountClosing.personalData(accountOf(ctx), ctx.ip)
    ctx.set('Content-Disposition', 'attachment; filename="mes-donnees-web-services-entreprise.json"')
    ctx.type = 'application/json; charset=utf-8'
    ctx.body = JSON.stringify(data, null, 2)
  })

  router.get('/compte/fermer', signedIn, (ctx) => {
    ctx.body = closingPage({ csrf: ctx.state.csrf, portalUrl })
  })

  router.post('/compte/fermer', signedIn, async (ctx) => {
    const form = readForm(ctx.request.body, ['current_password'])
    try {
      await accountClosing.close(accountOf(ctx), form, ctx.ip)
      ctx.body = closedPage(portalUrl)
    } catch (error) {
      const problem = errorForForm(ctx, error)
      ctx.body = closingPage({ csrf: ctx.state.csrf, portalUrl, formError: problem.message, fieldErrors: problem.fieldErrors })
    }
  })
}
