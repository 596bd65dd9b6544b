import { userInfo } from 'node:os'
import { ConfigError } from '../errors'

/** One group of `npm run cli` commands (`clients …`, `keys …`): one file each under shared/src/cli/. */
export interface CommandGroup {
  /** Its lines in the usage text. */
  usage: string
  /** Runs `<group> <action> <args>`; the exit code, when not 0. */
  run(action: string | undefined, args: string[]): Promise<number | void>
}

/** A command line that does not say what to do: printed with the usage text. */
export class UsageError extends ConfigError {}

/** Who acts in the audit trail: the operator account running the command. */
export const OPERATOR = `cli:${userInfo().username}`
