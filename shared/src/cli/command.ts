import { userInfo } from 'node:os'
import type { ParseArgsOptionsConfig } from 'node:util'
import type { Config } from '../config'
import type { Knex } from '../db/knex'
import { ConfigError } from '../errors'

/**
 * The exit codes of `npm run cli` (README « Operating »): scripts tell a refusal from a partial
 * import or an unknown user without reading French.
 */
export const EXIT = {
  /** Done. */
  ok: 0,
  /** Nothing done: a wrong command line, a refusal (last administrator…), an unreachable database. */
  error: 1,
  /** Done in part: some lines of an import were rejected. */
  partial: 2,
  /** The user, company, client or mail named does not exist (or a search found nothing). */
  notFound: 3,
} as const

/** What a command answers: French lines for the operator, the same facts as data for `--json`. */
export interface Answer {
  text: string
  json: unknown
  exitCode?: (typeof EXIT)[keyof typeof EXIT]
}

/** The values of a command's options, as node:util parseArgs reads them (strings and booleans). */
export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>

export interface ActionContext<V extends OptionValues = OptionValues> {
  values: V
  /** The arguments that are not options (`companies import FICHIER.csv`). */
  positionals: string[]
  config: Config
  db: Knex
  now: () => Date
}

/** One command: `<group> <action>`. */
export interface Action<V extends OptionValues = OptionValues> {
  /** What follows `<group> <action>` in the usage: its options and arguments. */
  synopsis: string
  /** What it does, in one French sentence (and a few more lines when needed). */
  summary: string
  options: ParseArgsOptionsConfig
  /** How many arguments it takes besides its options (none by default). */
  positionals?: number
  run(context: ActionContext<V>): Promise<Answer>
}

/** One group of `npm run cli` commands (`users …`, `clients …`): a file of its own under shared/src/cli/. */
export interface CommandGroup {
  name: string
  actions: Record<string, Action>
}

/**
 * Declares an action whose `values` are typed from its options. `--json` and `--help` are
 * accepted by every action: the runner reads them.
 */
export function action<const O extends ParseArgsOptionsConfig>(definition: {
  synopsis: string
  summary: string
  options: O
  positionals?: number
  run(context: ActionContext<ValuesOf<O>>): Promise<Answer>
}): Action {
  return definition as unknown as Action
}

type ValuesOf<O extends ParseArgsOptionsConfig> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean' ? (O[K]['multiple'] extends true ? boolean[] : boolean) : O[K]['multiple'] extends true ? string[] : string
}

/** A command line that does not say what to do: printed with the usage of what was asked. */
export class UsageError extends ConfigError {
  /** The usage text to print; by default, the help of the action being run. */
  readonly usage: string | undefined

  constructor(message: string, usage?: string) {
    super(message)
    this.usage = usage
  }
}

/** Who acts in the audit trail: the operator account running the command. */
export const OPERATOR = `cli:${userInfo().username}`

/** A date as operators in France read it. */
export const frenchTime = (date: Date) => date.toLocaleString('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'medium' })

/** Lines of cells in aligned columns, under a header; `empty` when there are none. */
export function columns(header: string[], rows: string[][], empty: string): string {
  if (rows.length === 0) return empty
  const widths = header.map((title, index) => Math.max(title.length, ...rows.map((row) => (row[index] ?? '').length)))
  const line = (cells: string[]) => cells.map((cell, index) => (index === cells.length - 1 ? cell : cell.padEnd(widths[index]!))).join('  ').trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}

/** A whole number option (`--limit 50`), or a usage error naming it. */
export function wholeNumber(value: string | undefined, option: string, fallback: number): number {
  if (value === undefined) return fallback
  if (!/^\d{1,9}$/u.test(value)) throw new UsageError(`--${option} attend un nombre entier positif.`)
  return Number(value)
}
