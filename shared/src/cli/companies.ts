import { createReadStream } from 'node:fs'
import type { Readable } from 'node:stream'
import { importCompanies, STRONG_CODE_LENGTH } from '../company-import'
import { ConfigError } from '../errors'
import { createHeldRequestDesk } from '../held-requests'
import { recordAudit } from '../queries/audit'
import { action, columns, EXIT, frenchTime, OPERATOR, type CommandGroup } from './command'

const PROGRESS_INTERVAL = 1000 // milliseconds between two progress lines

const count = (value: number) => value.toLocaleString('fr-FR')
/** Weak codes listed by line in the text answer, the others counted (all of them are in --json). */
const WEAK_LINES_SHOWN = 20
const rate = (lines: number, milliseconds: number) => `${count(Math.round(lines / Math.max(milliseconds / 1000, 0.001)))} lignes/s`

/** The file, or standard input for `-`; a file that cannot be opened is named with the reason. */
async function openInput(file: string): Promise<Readable> {
  if (file === '-') return process.stdin
  const stream = createReadStream(file)
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve())
    stream.once('error', (error: NodeJS.ErrnoException) => reject(new ConfigError(`Fichier illisible : ${file} (${error.code ?? error.message})`)))
  })
  return stream
}

export const companies: CommandGroup = {
  name: 'companies',
  actions: {
    import: action({
      synopsis: 'FICHIER.csv [--dry-run]',
      summary: `Importe l'annuaire des entreprises (colonnes siren;name;code_adherent, UTF-8 ; « - » lit l'entrée standard).
Idempotent : une entreprise n'est réécrite que si son nom ou son code a changé. Chaque ligne rejetée est signalée avec son numéro et sa raison, les autres sont importées (code de sortie 2).
La progression (lignes, lignes/s) s'affiche sur la sortie d'erreur. --dry-run vérifie le fichier et compte ce qui changerait, sans rien écrire.`,
      options: { 'dry-run': { type: 'boolean' } },
      positionals: 1,
      async run({ values, positionals, config, db }) {
        const file = positionals[0]!
        const dryRun = values['dry-run'] ?? false
        const input = await openInput(file)
        const started = performance.now()
        let lastProgress = started
        const report = await importCompanies(db, input, {
          hmacKey: config.secrets.memberCodeHmacKey,
          dryRun,
          onProgress(lines) {
            const now = performance.now()
            if (now - lastProgress < PROGRESS_INTERVAL) return
            lastProgress = now
            console.error(`${count(lines)} lignes lues (${rate(lines, now - started)})`)
          },
        })
        const elapsed = performance.now() - started
        console.error(`${count(report.lines)} lignes lues en ${(elapsed / 1000).toFixed(1).replace('.', ',')} s (${rate(report.lines, elapsed)})`)
        const { rejected, weakCodes, ...counts } = report
        if (!dryRun) await recordAudit(db, { type: 'companies.imported', actor: OPERATOR, subject: file, details: { ...counts, rejected: rejected.length, weakCodes: weakCodes.length } })
        const summary = dryRun
          ? `Simulation, rien n'est écrit : ${report.created} entreprise(s) à créer, ${report.updated} à mettre à jour, ${report.unchanged} inchangée(s).`
          : `${report.created} entreprise(s) créée(s), ${report.updated} mise(s) à jour, ${report.unchanged} inchangée(s).`
        const more = weakCodes.length > WEAK_LINES_SHOWN ? ` et ${count(weakCodes.length - WEAK_LINES_SHOWN)} autre(s)` : ''
        const weak =
          weakCodes.length > 0
            ? [`Attention : ${weakCodes.length} code(s) adhérent faible(s) (moins de ${STRONG_CODE_LENGTH} caractères, ou uniquement des chiffres), plus faciles à deviner : lignes ${weakCodes.slice(0, WEAK_LINES_SHOWN).join(', ')}${more}.`]
            : []
        const rejections = rejected.length > 0 ? [`${rejected.length} ligne(s) rejetée(s) :`, ...rejected.map(({ line, reason }) => `  ligne ${line} : ${reason}`)] : []
        return {
          text: [summary, ...weak, ...rejections].join('\n'),
          json: { ...report, seconds: Math.round(elapsed) / 1000 },
          exitCode: rejected.length > 0 ? EXIT.partial : EXIT.ok,
        }
      },
    }),

    'under-attack': action({
      synopsis: '',
      summary: "Liste les entreprises sous protection : trop de codes adhérent faux aujourd'hui, leurs nouvelles demandes attendent la vérification de l'Opcommerce (memberships pending-confirmation).",
      options: {},
      async run({ config, db, now }) {
        const companies = await createHeldRequestDesk({ config, db }).underProtection(now())
        const rows = companies.map((company) => [
          company.siren,
          company.name ?? "inconnue de l'annuaire",
          frenchTime(company.since),
          frenchTime(company.until),
          String(company.wrongCodes),
          String(company.heldRequests),
        ])
        return { text: columns(['siren', 'entreprise', 'depuis le', "jusqu'au", 'codes faux', 'demandes retenues'], rows, 'Aucune entreprise sous protection.'), json: companies }
      },
    }),
  },
}
