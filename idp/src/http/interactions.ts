import type { Context } from 'koa'
import { errors, type InteractionResults } from 'oidc-provider'
import { BadRequestError } from '@opcommerce/shared/errors'
import type { AuthenticationMethod } from '../libraries/authentication-context'
import { authenticationContext } from '../libraries/authentication-context'
import { messages } from '../messages'
import type { RouteDependencies } from '../routes/context'

/**
 * A login between its password and its second factor, kept in oidc-provider's Interaction
 * (server side, bound to this browser by the interaction cookie): who, and what they proved so far.
 */
export interface LoginInProgress {
  accountId: string
  methods: AuthenticationMethod[]
  /** Asked to enrol (no second factor yet): why, for the page. */
  enrol?: { companies: string[]; requiredByApplication: boolean }
}

/** The pieces of an interaction every step of the login uses. */
export function interactionSteps(deps: RouteDependencies) {
  // deps.provider is read at each request: it is rebuilt when the signing keys change.

  /** The authorization request this browser is in the middle of; bound to it by a cookie. */
  async function interactionOf(ctx: Context) {
    try {
      const details = await deps.provider.interactionDetails(ctx.req, ctx.res)
      if (details.uid !== ctx.params.uid) throw new errors.SessionNotFound('interaction mismatch')
      return details
    } catch (error) {
      if (error instanceof errors.SessionNotFound) throw new BadRequestError(messages.login.expired)
      throw error
    }
  }

  async function finish(ctx: Context, result: InteractionResults): Promise<void> {
    const redirectTo = await deps.provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false })
    ctx.status = 303
    ctx.redirect(redirectTo)
  }

  return {
    interactionOf,
    finish,

    async clientName(clientId: unknown): Promise<string | undefined> {
      const client = typeof clientId === 'string' ? await deps.provider.Client.find(clientId) : undefined
      return client?.clientName
    },

    /** Ends the login: the ID token will say how (amr) and at which level (acr). */
    finishLogin: (ctx: Context, accountId: string, methods: AuthenticationMethod[]) => finish(ctx, { login: { accountId, ...authenticationContext(methods) } }),

    async saveLoginInProgress(uid: string, pending: LoginInProgress): Promise<void> {
      const interaction = await deps.provider.Interaction.find(uid)
      if (!interaction) throw new BadRequestError(messages.login.expired)
      interaction.result = { loginInProgress: pending }
      await interaction.persist()
    },

    /** The login this interaction waits to finish; a 400 when no password was checked in it. */
    async loginInProgressOf(ctx: Context): Promise<{ uid: string; pending: LoginInProgress; params: Record<string, unknown> }> {
      const details = await interactionOf(ctx)
      const pending = (details.result as { loginInProgress?: LoginInProgress } | undefined)?.loginInProgress
      if (details.prompt.name !== 'login' || !pending) throw new BadRequestError(messages.login.expired)
      return { uid: details.uid, pending, params: details.params }
    },
  }
}

export type InteractionSteps = ReturnType<typeof interactionSteps>
