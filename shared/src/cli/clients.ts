import { parseArgs } from 'node:util'
import { buildClient, GRANT_TYPES } from '../clients'
import { loadConfig } from '../config'
import { ConfigError } from '../errors'
import { recordAudit } from '../queries/audit'
import { createClientQueries } from '../queries/clients'
import { OPERATOR, UsageError, type CommandGroup } from './command'
import { withMigratedDatabase } from './database'

async function clientsCommand(action: string | undefined, args: string[]): Promise<void> {
  const config = loadConfig()
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      'client-id': { type: 'string' },
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
  })
  await withMigratedDatabase(config, async (db) => {
    const clients = createClientQueries(db)
    if (action === 'create') {
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
      const existed = Boolean(await clients.find(client.clientId))
      await clients.save(client)
      await recordAudit(db, { type: 'client.saved', actor: OPERATOR, subject: client.clientId, details: { grants: client.metadata.grant_types } })
      console.log(`Client « ${client.clientId} » ${existed ? 'mis à jour' : 'créé'} (${client.metadata.grant_types.join(', ')}).`)
      if (generatedSecret) console.log(`Secret généré, à transmettre à l'équipe de l'application (il ne sera plus affiché) :\n${generatedSecret}`)
    } else if (action === 'list') {
      const all = await clients.list()
      if (all.length === 0) console.log('Aucun client enregistré.')
      for (const client of all) {
        const flags = [client.firstParty && 'interne', client.tool && 'outil', client.metadata.resource_server && 'serveur de ressources', !client.enabled && 'désactivé']
          .filter(Boolean)
          .join(', ')
        console.log(`${client.clientId} — ${client.name}${flags ? ` [${flags}]` : ''}`)
        console.log(`  grants : ${client.metadata.grant_types.join(', ')} ; scope : ${client.metadata.scope ?? ''}`)
        for (const uri of client.metadata.redirect_uris) console.log(`  redirect_uri : ${uri}`)
        if (client.metadata.backchannel_logout_uri) console.log(`  backchannel_logout_uri : ${client.metadata.backchannel_logout_uri}`)
      }
    } else if (action === 'delete') {
      const clientId = values['client-id']
      if (!clientId) throw new UsageError('Indiquez --client-id.')
      if (!(await clients.remove(clientId))) throw new ConfigError(`Aucun client « ${clientId} ».`)
      await recordAudit(db, { type: 'client.deleted', actor: OPERATOR, subject: clientId })
      console.log(`Client « ${clientId} » supprimé.`)
    } else throw new UsageError(`Action inconnue : clients ${action ?? ''}`)
  })
}

export const clients: CommandGroup = {
  usage: `  clients create --client-id ID [--client-secret S | --public] [--redirect-uri URI]…
                 [--post-logout-redirect-uri URI]… [--grant-type ${GRANT_TYPES.join('|')}]…
                 [--scope "openid profile email companies"] [--name NOM] [--description TEXTE]
                 [--url URL] [--initiate-login-uri URL] [--tool] [--first-party] [--position N]
                 [--backchannel-logout-uri URI] [--resource-server]
  clients list
  clients delete --client-id ID`,
  run: clientsCommand,
}
