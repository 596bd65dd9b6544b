import type Router from '@koa/router'
import type { Context } from 'koa'
import { readForm } from '@opcommerce/shared/forms'
import { BadRequestError } from '@opcommerce/shared/errors'
import { errorForForm } from '../http/errors'
import { interactionSteps, type LoginInProgress } from '../http/interactions'
import { messages } from '../messages'
import { loginPage } from '../views/interaction'
import { enrolmentPage, recoveryCodesPage, secondFactorPage } from '../views/second-factor'
import type { RouteDependencies } from './context'

/**
 * The login's second step, after a right password (routes/interaction.ts): the person's second
 * factor, or a recovery code; or, for a person without one whom a company or the application
 * asks for one, its configuration with an authenticator app.
 */
export function secondFactorRoutes(router: Router, deps: RouteDependencies): void {
  const { clientName, finish, finishLogin, interactionOf, loginInProgressOf, saveLoginInProgress } = interactionSteps(deps)
  const { secondFactor } = deps

  async function showChoice(ctx: Context, uid: string, pending: LoginInProgress, options: { recovery: boolean; error?: string }) {
    ctx.set('Cache-Control', 'no-store')
    const factors = await secondFactor.factorsOf(pending.accountId)
    ctx.body = secondFactorPage({ uid, csrf: ctx.state.csrf, factors, ...options })
  }

  router.get('/interaction/:uid/second-factor', async (ctx) => {
    const { uid, pending } = await loginInProgressOf(ctx)
    await showChoice(ctx, uid, pending, { recovery: ctx.query.recuperation === '1' })
  })

  for (const [path, verify, recovery] of [
    ['totp', secondFactor.verifyTotp, false],
    ['recovery-code', secondFactor.verifyRecoveryCode, true],
  ] as const) {
    router.post(`/interaction/:uid/second-factor/${path}`, async (ctx) => {
      const { uid, pending } = await loginInProgressOf(ctx)
      if (pending.enrol) throw new BadRequestError(messages.login.expired)
      const { code } = readForm(ctx.request.body, ['code'])
      try {
        const method = await verify(pending.accountId, code, ctx.ip)
        await finishLogin(ctx, pending.accountId, [...pending.methods, method])
      } catch (error) {
        await showChoice(ctx, uid, pending, { recovery, error: errorForForm(ctx, error).message })
      }
    })
  }

  /** The options of a passkey ceremony in this login: for its second factor, or for a passkey alone. */
  router.post('/interaction/:uid/passkey-options', async (ctx) => {
    const details = await interactionOf(ctx)
    if (details.prompt.name !== 'login') throw new BadRequestError(messages.login.expired)
    const pending = (details.result as { loginInProgress?: LoginInProgress } | undefined)?.loginInProgress
    ctx.set('Cache-Control', 'no-store')
    ctx.body = await deps.passkeys.authenticationOptions(pending && !pending.enrol ? pending.accountId : null)
  })

  router.post('/interaction/:uid/second-factor/passkey', async (ctx) => {
    const { uid, pending } = await loginInProgressOf(ctx)
    if (pending.enrol) throw new BadRequestError(messages.login.expired)
    const { response } = readForm(ctx.request.body, ['response'])
    try {
      const { method } = await deps.passkeys.authenticate(response, pending.accountId, ctx.ip)
      await finishLogin(ctx, pending.accountId, [...pending.methods, method])
    } catch (error) {
      await showChoice(ctx, uid, pending, { recovery: false, error: errorForForm(ctx, error).message })
    }
  })

  /** « Se connecter avec une clé d'accès »: the passkey alone, with user verification, is the whole login. */
  router.post('/interaction/:uid/passkey', async (ctx) => {
    const { uid, prompt, params } = await interactionOf(ctx)
    if (prompt.name !== 'login') throw new BadRequestError(messages.login.expired)
    const { response } = readForm(ctx.request.body, ['response'])
    try {
      const { userId, method } = await deps.passkeys.authenticate(response, null, ctx.ip)
      await finishLogin(ctx, userId, [method])
    } catch (error) {
      ctx.body = loginPage({ uid, csrf: ctx.state.csrf, clientName: await clientName(params.client_id), error: errorForForm(ctx, error).message })
    }
  })

  async function showEnrolment(ctx: Context, uid: string, pending: LoginInProgress, options: { fresh: boolean; error?: string }) {
    ctx.set('Cache-Control', 'no-store')
    const enrolment = await secondFactor.totpEnrolment(pending.accountId, { fresh: options.fresh })
    ctx.body = enrolmentPage({ uid, csrf: ctx.state.csrf, enrolment, companies: pending.enrol!.companies, requiredByApplication: pending.enrol!.requiredByApplication, error: options.error })
  }

  /** The pending login of a person asked to enrol, who has not enrolled yet in this interaction. */
  async function enrollingLogin(ctx: Context) {
    const found = await loginInProgressOf(ctx)
    if (!found.pending.enrol || found.pending.methods.length > 1) throw new BadRequestError(messages.login.expired)
    return found
  }

  router.get('/interaction/:uid/enrolment', async (ctx) => {
    const { uid, pending } = await enrollingLogin(ctx)
    await showEnrolment(ctx, uid, pending, { fresh: true })
  })

  router.post('/interaction/:uid/enrolment/totp', async (ctx) => {
    const { uid, pending } = await enrollingLogin(ctx)
    const { code } = readForm(ctx.request.body, ['code'])
    try {
      const codes = await secondFactor.confirmTotp(pending.accountId, code, ctx.ip)
      // The first code proved the app: the login has its two factors once the codes are noted.
      await saveLoginInProgress(uid, { ...pending, methods: [...pending.methods, 'otp'] })
      ctx.set('Cache-Control', 'no-store')
      ctx.body = recoveryCodesPage({ codes, next: { action: `/interaction/${uid}/enrolment/continue`, csrf: ctx.state.csrf } })
    } catch (error) {
      await showEnrolment(ctx, uid, pending, { fresh: false, error: errorForForm(ctx, error).message })
    }
  })

  router.post('/interaction/:uid/enrolment/continue', async (ctx) => {
    const { pending } = await loginInProgressOf(ctx)
    if (!pending.enrol || pending.methods.length < 2) throw new BadRequestError(messages.login.expired)
    await finishLogin(ctx, pending.accountId, pending.methods)
  })

  router.post('/interaction/:uid/enrolment/later', async (ctx) => {
    const { pending } = await enrollingLogin(ctx)
    if (pending.enrol!.requiredByApplication) {
      // Core 1.0 §5.5.1.1 / §3.1.2.6: the application asked for two factors, which cannot be had now.
      return finish(ctx, { error: 'unmet_authentication_requirements', error_description: 'multi-factor authentication was requested and the End-User has none' })
    }
    await finishLogin(ctx, pending.accountId, pending.methods)
  })
}
