import '../node-version'
import { parseArgs } from 'node:util'
import { loadConfig } from '../config'
import { isAppError } from '../errors'
import { runMain } from '../process'
import { audit } from './audit'
import { clients } from './clients'
import { EXIT, UsageError, type Action, type CommandGroup } from './command'
import { companies } from './companies'
import { withMigratedDatabase } from './database'
import { keys } from './keys'
import { logouts } from './logouts'
import { memberships } from './memberships'
import { outbox } from './outbox'
import { users } from './users'

/** Every command group, in the order of the usage; a new one is a file of its own, listed here. */
const GROUPS: CommandGroup[] = [users, memberships, companies, clients, outbox, logouts, audit, keys]

const HELP = new Set(['--help', '-h', 'help'])

const usageOf = (group: CommandGroup, name: string, action: Action) => {
  const [first, ...more] = action.synopsis.split('\n')
  const prefix = `  ${group.name} ${name}`
  return [`${prefix} ${first}`.trimEnd(), ...more.map((line) => `${' '.repeat(prefix.length + 1)}${line.trim()}`), `      ${action.summary.split('\n')[0]}`].join('\n')
}

const groupUsage = (group: CommandGroup) => Object.entries(group.actions).map(([name, action]) => usageOf(group, name, action)).join('\n')

const FOOTER = `Chaque commande accepte --help (son aide) et --json (sa réponse en JSON, seule sur la sortie standard).
Codes de sortie : ${EXIT.ok} fait ; ${EXIT.error} commande incorrecte, refus ou erreur ; ${EXIT.partial} fait en partie (lignes rejetées) ; ${EXIT.notFound} introuvable (utilisateur, entreprise, client, mail).`

const USAGE = `Utilisation : npm run cli -- <commande> [options]      (en production : npm run cli:prod -- <commande>)

${GROUPS.map(groupUsage).join('\n\n')}

${FOOTER}`

const actionHelp = (group: CommandGroup, name: string, action: Action) =>
  `Utilisation : npm run cli -- ${group.name} ${name} ${action.synopsis.replace(/\n\s*/gu, ' ')}\n\n${action.summary}\n\n${FOOTER}`

/** node:util parseArgs explains in English; the operator reads French. */
function frenchParseError(error: Error & { code?: string }): string {
  const option = /'(-[^' ]+)/u.exec(error.message)?.[1] ?? ''
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `Option inconnue : ${option}`
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return error.message.includes('argument missing') ? `L'option ${option} attend une valeur.` : `L'option ${option} ne prend pas de valeur.`
  return error.message
}

/** Reads the command line; what to run, or the help text asked for. */
function resolve(argv: string[]): { help: string } | { group: CommandGroup; name: string; action: Action; args: string[] } {
  const [command, name, ...args] = argv
  if (command === undefined) throw new UsageError('Indiquez une commande.')
  if (HELP.has(command)) return { help: USAGE }
  const group = GROUPS.find((candidate) => candidate.name === command)
  if (!group) throw new UsageError(`Commande inconnue : ${command}`)
  const scope = `Utilisation : npm run cli -- ${group.name} <action> [options]\n\n${groupUsage(group)}\n\n${FOOTER}`
  if (name === undefined || HELP.has(name)) {
    if (name === undefined) throw new UsageError(`Indiquez une action de « ${group.name} ».`, scope)
    return { help: scope }
  }
  const action = Object.hasOwn(group.actions, name) ? group.actions[name] : undefined
  if (!action) throw new UsageError(`Action inconnue : ${group.name} ${name}`, scope)
  if (args.some((arg) => HELP.has(arg))) return { help: actionHelp(group, name, action) }
  return { group, name, action, args }
}

runMain(async () => {
  let help = USAGE
  try {
    const resolved = resolve(process.argv.slice(2))
    if ('help' in resolved) return console.log(resolved.help)
    const { group, name, action, args } = resolved
    help = actionHelp(group, name, action)
    let parsed
    try {
      parsed = parseArgs({ args, options: { ...action.options, json: { type: 'boolean' } }, allowPositionals: true, strict: true })
    } catch (error) {
      throw new UsageError(frenchParseError(error as Error & { code?: string }), help)
    }
    const { json, ...values } = parsed.values
    const expected = action.positionals ?? 0
    if (parsed.positionals.length !== expected) {
      throw new UsageError(expected === 0 ? `Argument inattendu : ${parsed.positionals[0]}` : `Arguments attendus : ${action.synopsis.replace(/\n\s*/gu, ' ')}`, help)
    }
    const config = loadConfig()
    const answer = await withMigratedDatabase(config, (db) => action.run({ values, positionals: parsed.positionals, config, db, now: () => new Date() }))
    if (json) console.log(JSON.stringify(answer.json, null, 2))
    else if (answer.text) console.log(answer.text)
    process.exitCode = answer.exitCode ?? EXIT.ok
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${error.usage ?? help}`)
      process.exitCode = EXIT.error
    } else if (isAppError(error) && error.expose) {
      console.error(error.message)
      process.exitCode = error.status === 404 ? EXIT.notFound : EXIT.error
    } else throw error
  }
})
