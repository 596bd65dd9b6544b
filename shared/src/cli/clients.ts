import { buildClient, GRANT_TYPES } from '../clients'
import { NotFoundError } from '../errors'
import { recordAudit } from '../queries/audit'
import { createClientQueries, type ClientRecord } from '../queries/clients'
import { action, OPERATOR, UsageError, type ActionContext, type CommandGroup } from './command'

/** What operators see of a client: never its secret. */
const describe = (client: ClientRecord) => ({
  clientId: client.clientId,
  name: client.name,
  enabled: client.enabled,
  tool: client.tool,
  firstParty: client.firstParty,
  position: client.position,
  description: client.description,
  url: client.url,
  initiateLoginUri: client.initiateLoginUri,
  grantTypes: client.metadata.grant_types,
  scope: client.metadata.scope ?? null,
  redirectUris: client.metadata.redirect_uris,
  postLogoutRedirectUris: client.metadata.post_logout_redirect_uris ?? [],
  public: client.metadata.token_endpoint_auth_method === 'none',
  backchannelLogoutUri: client.metadata.backchannel_logout_uri ?? null,
  resourceServer: client.metadata.resource_server === true,
})

const clientId = { 'client-id': { type: 'string' } } as const

function requireClientId(values: { 'client-id'?: string }): string {
  if (!values['client-id']) throw new UsageError('Indiquez --client-id.')
  return values['client-id']
}

/**
 * `clients disable|enable`: a disabled client is unknown to the idp at once (every login, code
 * exchange, refresh and token of it refused) and hidden from the launcher; its grants and tokens
 * are deleted, so enabling it again brings none back.
 */
async function setEnabled({ values, db }: ActionContext<{ 'client-id'?: string }>, enabled: boolean) {
  const id = requireClientId(values)
  const clients = createClientQueries(db)
  const deleted = await db.transaction(async (trx) => {
    const queries = createClientQueries(trx)
    if (!(await queries.setEnabled(id, enabled))) throw new NotFoundError(`Aucun client « ${id} ».`)
    const tokens = enabled ? 0 : await queries.deleteTokensOf(id)
    await recordAudit(trx, { type: enabled ? 'client.enabled' : 'client.disabled', actor: OPERATOR, subject: id, details: enabled ? {} : { tokensDeleted: tokens } })
    return tokens
  })
  const client = (await clients.find(id))!
  return {
    text: enabled ? `Client « ${id} » réactivé.` : `Client « ${id} » désactivé : l'idp le refuse dès maintenant ; ${deleted} autorisation(s) et jeton(s) supprimé(s).`,
    json: { ...describe(client), ...(enabled ? {} : { tokensDeleted: deleted }) },
  }
}

export const clients: CommandGroup = {
  name: 'clients',
  actions: {
    create: action({
      synopsis: `--client-id ID [--client-secret S | --public] [--redirect-uri URI]…
        [--post-logout-redirect-uri URI]… [--grant-type ${GRANT_TYPES.join('|')}]…
        [--scope "openid profile email companies"] [--name NOM] [--description TEXTE]
        [--url URL] [--initiate-login-uri URL] [--tool] [--first-party] [--position N]
        [--backchannel-logout-uri URI] [--resource-server]`,
      summary: `Enregistre une application (client OpenID Connect), ou remplace celle qui a cet identifiant (sans la réactiver).
Sans --client-secret ni --public, un secret est généré et affiché une seule fois. Par défaut : authorization_code et refresh_token.
--tool la liste dans « Liste des outils de l'Opcommerce » (lien : --initiate-login-uri, sinon --url) ; --first-party : pas d'écran de consentement.
--backchannel-logout-uri : l'application reçoit un jeton de déconnexion quand la session d'une personne prend fin ; --resource-server : elle peut introspecter les jetons des autres applications.`,
      options: {
        ...clientId,
        'client-secret': { type: 'string' },
        public: { type: 'boolean' },
        'redirect-uri': { type: 'string', multiple: true },
        'post-logout-redirect-uri': { type: 'string', multiple: true },
        'grant-type': { type: 'string', multiple: true },
        scope: { type: 'string' },
        name: { type: 'string' },
        description: { type: 'string' },
        url: { type: 'string' },
        'initiate-login-uri': { type: 'string' },
        'backchannel-logout-uri': { type: 'string' },
        'resource-server': { type: 'boolean' },
        tool: { type: 'boolean' },
        'first-party': { type: 'boolean' },
        position: { type: 'string' },
      },
      async run({ values, config, db }) {
        const { client, generatedSecret } = buildClient({
          clientId: values['client-id'] ?? '',
          clientSecret: values['client-secret'],
          public: values.public,
          redirectUris: values['redirect-uri'],
          postLogoutRedirectUris: values['post-logout-redirect-uri'],
          grantTypes: values['grant-type'] as (typeof GRANT_TYPES)[number][] | undefined,
          scope: values.scope,
          name: values.name,
          description: values.description,
          url: values.url,
          initiateLoginUri: values['initiate-login-uri'],
          backchannelLogoutUri: values['backchannel-logout-uri'],
          resourceServer: values['resource-server'],
          tool: values.tool,
          firstParty: values['first-party'],
          position: values.position === undefined ? undefined : Number(values.position),
        }, config.secrets.signingKeysSecret)
        const clients = createClientQueries(db)
        const existed = Boolean(await clients.find(client.clientId))
        await clients.save(client)
        await recordAudit(db, { type: 'client.saved', actor: OPERATOR, subject: client.clientId, details: { grants: client.metadata.grant_types } })
        const saved = `Client « ${client.clientId} » ${existed ? 'mis à jour' : 'créé'} (${client.metadata.grant_types.join(', ')}).`
        return {
          text: generatedSecret ? `${saved}\nSecret généré, à transmettre à l'équipe de l'application (il ne sera plus affiché) :\n${generatedSecret}` : saved,
          json: { ...describe((await clients.find(client.clientId))!), created: !existed, ...(generatedSecret ? { generatedSecret } : {}) },
        }
      },
    }),

    list: action({
      synopsis: '',
      summary: 'Liste les applications enregistrées, leurs grants, leur scope et leurs adresses de retour.',
      options: {},
      async run({ db }) {
        const all = await createClientQueries(db).list()
        const lines = all.flatMap((client) => {
          const flags = [client.firstParty && 'interne', client.tool && 'outil', client.metadata.resource_server && 'serveur de ressources', !client.enabled && 'désactivé']
            .filter(Boolean)
            .join(', ')
          return [
            `${client.clientId} — ${client.name}${flags ? ` [${flags}]` : ''}`,
            `  grants : ${client.metadata.grant_types.join(', ')} ; scope : ${client.metadata.scope ?? ''}`,
            ...client.metadata.redirect_uris.map((uri) => `  redirect_uri : ${uri}`),
            ...(client.metadata.backchannel_logout_uri ? [`  backchannel_logout_uri : ${client.metadata.backchannel_logout_uri}`] : []),
          ]
        })
        return { text: lines.length > 0 ? lines.join('\n') : 'Aucun client enregistré.', json: all.map(describe) }
      },
    }),

    disable: action({
      synopsis: '--client-id ID',
      summary:
        "Désactive une application : l'idp la refuse dès maintenant (connexion, échange de code, rafraîchissement, jetons), elle disparaît de la liste des outils, et ses autorisations et jetons sont supprimés.",
      options: clientId,
      run: (context) => setEnabled(context, false),
    }),

    enable: action({
      synopsis: '--client-id ID',
      summary: "Réactive une application désactivée (ses utilisateurs se reconnectent : ses anciens jetons ne reviennent pas).",
      options: clientId,
      run: (context) => setEnabled(context, true),
    }),

    delete: action({
      synopsis: '--client-id ID',
      summary: 'Supprime une application enregistrée.',
      options: clientId,
      async run({ values, db }) {
        const id = requireClientId(values)
        if (!(await createClientQueries(db).remove(id))) throw new NotFoundError(`Aucun client « ${id} ».`)
        await recordAudit(db, { type: 'client.deleted', actor: OPERATOR, subject: id })
        return { text: `Client « ${id} » supprimé.`, json: { clientId: id, deleted: true } }
      },
    }),
  },
}
