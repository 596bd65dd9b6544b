import type Router from '@koa/router'
import { finishAccountSignIn, requireSignedIn, accountOf } from '../http/account-session'
import { accountHomePage } from '../views/account'
import type { RouteDependencies } from './context'

/** « Mon compte »: its home page, and the end of its sign-in (http/account-session.ts). */
export function accountRoutes(router: Router, deps: RouteDependencies): void {
  const signedIn = requireSignedIn(deps)

  router.get('/compte/retour', async (ctx) => {
    ctx.set('Cache-Control', 'no-store')
    ctx.status = 303
    ctx.redirect(await finishAccountSignIn(ctx, deps))
  })

  router.get('/compte', signedIn, (ctx) => {
    ctx.body = accountHomePage({ account: accountOf(ctx), portalUrl: deps.config.portal.url })
  })
}
