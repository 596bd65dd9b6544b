import type Router from '@koa/router'
import type { Context } from 'koa'
import { ValidationError } from '@opcommerce/shared/errors'
import { readForm } from '@opcommerce/shared/forms'
import { accountOf, requireRecentLogin, requireSignedIn } from '../http/account-session'
import { errorForForm } from '../http/errors'
import { InvalidCodeError } from '../libraries/totp'
import { twoFactorPage, totpEnrolmentPage } from '../views/account-two-factor'
import { recoveryCodesPage } from '../views/second-factor'
import type { RouteDependencies } from './context'

const BASE = '/compte/double-authentification'
const NAME_MAX_LENGTH = 60 // characters

/**
 * « Double authentification » in « Mon compte ». Adding a factor needs a login of the last few
 * minutes (requireRecentLogin); removing one needs the password typed again, and turning the
 * app off a current code of it too.
 */
export function accountTwoFactorRoutes(router: Router, deps: RouteDependencies): void {
  const signedIn = requireSignedIn(deps)
  const { secondFactor, passkeys } = deps
  // The real clock, not an injected one: it is compared with the SSO session's auth_time, which
  // oidc-provider stamps with the real clock.
  const now = () => new Date()

  async function showPage(ctx: Context, options: { notice?: string; error?: string; fieldErrors?: Record<string, string[]> } = {}) {
    const { user } = accountOf(ctx)
    const [factors, list] = [await secondFactor.factorsOf(user.id), await passkeys.list(user.id)]
    ctx.body = twoFactorPage({ csrf: ctx.state.csrf, portalUrl: deps.config.portal.url, factors, passkeys: list, ...options })
  }

  /** Back to the section after an action: a 303 to a GET, with the outcome in the query (a fixed word, never text). */
  const backTo = (ctx: Context, done: string) => {
    ctx.status = 303
    ctx.redirect(`${BASE}?fait=${done}`)
  }
  const NOTICES: Record<string, string> = {
    cle_ajoutee: "La clé d'accès a été ajoutée.",
    cle_renommee: "La clé d'accès a été renommée.",
    cle_supprimee: "La clé d'accès a été supprimée.",
    application_desactivee: "L'application d'authentification a été désactivée.",
  }

  router.get(BASE, signedIn, async (ctx) => {
    if (!requireRecentLogin(ctx, deps, now())) return
    await showPage(ctx, { notice: NOTICES[String(ctx.query.fait)] })
  })

  router.get(`${BASE}/application`, signedIn, async (ctx) => {
    if (!requireRecentLogin(ctx, deps, now())) return
    const enrolment = await secondFactor.totpEnrolment(accountOf(ctx).user.id, { fresh: true })
    ctx.body = totpEnrolmentPage({ csrf: ctx.state.csrf, portalUrl: deps.config.portal.url, enrolment })
  })

  router.post(`${BASE}/application`, signedIn, async (ctx) => {
    requireRecentLogin(ctx, deps, now())
    const { user } = accountOf(ctx)
    const { code } = readForm(ctx.request.body, ['code'])
    try {
      const codes = await secondFactor.confirmTotp(user.id, code, ctx.ip)
      ctx.body = recoveryCodesPage({ codes, next: { href: BASE } })
    } catch (error) {
      const problem = errorForForm(ctx, error)
      const enrolment = await secondFactor.totpEnrolment(user.id, { fresh: false })
      ctx.body = totpEnrolmentPage({ csrf: ctx.state.csrf, portalUrl: deps.config.portal.url, enrolment, error: problem.message })
    }
  })

  router.post(`${BASE}/application/desactiver`, signedIn, async (ctx) => {
    const account = accountOf(ctx)
    const form = readForm(ctx.request.body, ['current_password', 'code'])
    try {
      await deps.accountSessions.confirmPassword(account, form.current_password, ctx.ip)
      await secondFactor.disableTotp(account.user.id, form.code, ctx.ip).catch((error: unknown) => {
        throw error instanceof InvalidCodeError ? new ValidationError({ code: [error.message] }) : error
      })
      backTo(ctx, 'application_desactivee')
    } catch (error) {
      const problem = errorForForm(ctx, error)
      await showPage(ctx, { error: problem.message, fieldErrors: problem.fieldErrors })
    }
  })

  router.post(`${BASE}/cles/options`, signedIn, async (ctx) => {
    requireRecentLogin(ctx, deps, now())
    ctx.body = await passkeys.registrationOptions(accountOf(ctx).user)
  })

  router.post(`${BASE}/cles`, signedIn, async (ctx) => {
    requireRecentLogin(ctx, deps, now())
    const { user } = accountOf(ctx)
    const form = readForm(ctx.request.body, ['response', 'name'])
    try {
      await passkeys.register(user.id, form.response, form.name.slice(0, NAME_MAX_LENGTH), ctx.ip)
      const codes = await secondFactor.recoveryCodesIfNone(user.id)
      if (codes) ctx.body = recoveryCodesPage({ codes, next: { href: BASE } })
      else backTo(ctx, 'cle_ajoutee')
    } catch (error) {
      await showPage(ctx, { error: errorForForm(ctx, error).message })
    }
  })

  router.post(`${BASE}/cles/:id/renommer`, signedIn, async (ctx) => {
    const { name } = readForm(ctx.request.body, ['name'])
    await passkeys.rename(accountOf(ctx).user.id, ctx.params.id!, name.slice(0, NAME_MAX_LENGTH))
    backTo(ctx, 'cle_renommee')
  })

  router.post(`${BASE}/cles/:id/supprimer`, signedIn, async (ctx) => {
    const account = accountOf(ctx)
    const form = readForm(ctx.request.body, ['current_password'])
    try {
      await deps.accountSessions.confirmPassword(account, form.current_password, ctx.ip)
      await passkeys.remove(account.user.id, ctx.params.id!, ctx.ip)
      backTo(ctx, 'cle_supprimee')
    } catch (error) {
      const problem = errorForForm(ctx, error)
      await showPage(ctx, { error: problem.fieldErrors.current_password?.[0] ?? problem.message })
    }
  })
}
