import { ConflictError, NotFoundError } from '../errors'
import { recordAudit } from '../queries/audit'
import { createSigningKey, KEY_PUBLICATION_DELAY, listSigningKeys, retireSigningKey } from '../signing-keys'
import { action, frenchTime, OPERATOR, UsageError, type CommandGroup } from './command'

export const keys: CommandGroup = {
  name: 'keys',
  actions: {
    list: action({
      synopsis: '',
      summary: 'Liste les clés de signature des jetons publiées, et leur état.',
      options: {},
      async run({ db, now }) {
        const keys = await listSigningKeys(db, now())
        const lines = keys.map((key) => {
          const state = {
            signing: 'signe les jetons',
            upcoming: `publiée, signera à partir du ${key.since ? frenchTime(key.since) : ''}`,
            verifying: `publiée pour vérification, ne signe plus depuis le ${key.since ? frenchTime(key.since) : ''}`,
          }[key.state]
          return `${key.kid} — créée le ${frenchTime(key.createdAt)} — ${state}`
        })
        return { text: lines.length > 0 ? lines.join('\n') : "Aucune clé : l'idp en créera une à son premier démarrage.", json: keys }
      },
    }),

    rotate: action({
      synopsis: '',
      summary: 'Crée une nouvelle clé de signature : publiée dès maintenant, elle signe les jetons 5 minutes plus tard.',
      options: {},
      async run({ config, db, now }) {
        const at = now()
        const kid = await createSigningKey(db, config.secrets.signingKeysSecret, at)
        await recordAudit(db, { type: 'signing_key.created', actor: OPERATOR, subject: kid })
        const from = new Date(at.getTime() + KEY_PUBLICATION_DELAY)
        return { text: `Clé ${kid} créée : publiée dès maintenant, elle signera les jetons à partir du ${frenchTime(from)}.`, json: { kid, signsFrom: from } }
      },
    }),

    retire: action({
      synopsis: '--kid KID',
      summary: "Retire une clé qui ne signe plus : elle n'est plus publiée (refusé le jour qui suit son dernier jeton signé).",
      options: { kid: { type: 'string' } },
      async run({ values, db, now }) {
        if (!values.kid) throw new UsageError('Indiquez --kid.')
        const { outcome, notBefore } = await retireSigningKey(db, values.kid, now())
        if (outcome === 'unknown') throw new NotFoundError(`Aucune clé active « ${values.kid} ».`)
        if (outcome === 'signing') throw new ConflictError("Cette clé signe encore les jetons (ou va les signer) : faites d'abord « keys rotate ».")
        if (outcome === 'too_soon') throw new ConflictError(`Des jetons signés par cette clé sont encore valides : retirez-la après le ${frenchTime(notBefore!)}.`)
        await recordAudit(db, { type: 'signing_key.retired', actor: OPERATOR, subject: values.kid })
        return { text: `Clé ${values.kid} retirée : elle ne sera plus publiée d'ici une minute.`, json: { kid: values.kid, retired: true } }
      },
    }),
  },
}
