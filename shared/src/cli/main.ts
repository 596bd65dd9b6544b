import '../node-version'
import { ConfigError, isAppError } from '../errors'
import { runMain } from '../process'
import { clients } from './clients'
import { UsageError, type CommandGroup } from './command'
import { companies } from './companies'
import { keys } from './keys'
import { logouts } from './logouts'
import { memberships } from './memberships'
import { users } from './users'

/** Every command group; a new one is a file of its own, listed here. */
const GROUPS = new Map<string, CommandGroup>([
  ['clients', clients],
  ['companies', companies],
  ['keys', keys],
  ['logouts', logouts],
  ['memberships', memberships],
  ['users', users],
])

const USAGE = `Utilisation : npm run cli -- <commande>      (en production : npm run cli:prod -- <commande>)

${[...GROUPS.values()].map((group) => group.usage).join('\n')}`

const HELP = new Set(['--help', '-h', 'help'])

runMain(async () => {
  const argv = process.argv.slice(2)
  if (argv.length > 0 && (HELP.has(argv[0]!) || argv.includes('--help') || argv.includes('-h'))) {
    console.log(USAGE)
    return
  }
  const [command, action, ...args] = argv
  try {
    const group = command ? GROUPS.get(command) : undefined
    if (!group) throw new UsageError(command ? `Commande inconnue : ${command}` : 'Indiquez une commande.')
    const code = await group.run(action, args)
    if (code) process.exitCode = code
  } catch (error) {
    if (error instanceof UsageError) throw new ConfigError(`${error.message}\n\n${USAGE}`)
    // Our refusals (a bad input, nothing to confirm…) are sentences for the operator, not stack traces.
    if (isAppError(error) && error.expose) throw new ConfigError(error.message)
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) throw new ConfigError(`${error.message}\n\n${USAGE}`)
    throw error
  }
})
