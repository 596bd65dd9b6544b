import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import path from 'node:path'

/** One process of the cluster: its output goes to `<name>.log` in the run's folder. */
export class ClusterProcess {
  readonly logFile: string
  #child: ChildProcess | undefined
  #exit: Promise<number | string> | undefined

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly env: Record<string, string>,
    logDir: string,
    private readonly cwd?: string,
  ) {
    this.logFile = path.join(logDir, `${name}.log`)
  }

  start(): void {
    const log = openSync(this.logFile, 'a')
    const child = spawn(this.command, this.args, { cwd: this.cwd, env: this.env, stdio: ['ignore', log, log] })
    closeSync(log)
    this.#child = child
    this.#exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')))
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null
  }

  kill(signal: NodeJS.Signals): void {
    this.#child?.kill(signal)
  }

  /** The exit code, or the signal's name, once the process is gone. */
  exited(): Promise<number | string> {
    return this.#exit ?? Promise.resolve('never started')
  }

  /** Its JSON log lines (pino). */
  logs(): Record<string, unknown>[] {
    return readFileSync(this.logFile, 'utf8')
      .split('\n')
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>]
        } catch {
          return []
        }
      })
  }

  tail(lines = 30): string {
    return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n')
  }
}

/** Runs a command to its end (migrations, the operator's CLI); its output, or an error with it. */
export function runToEnd(command: string, args: string[], env: Record<string, string>): string {
  const result = spawnSync(command, args, { env, encoding: 'utf8', timeout: 60_000 })
  if (result.status !== 0) throw new Error(`${[command, ...args].join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`)
  return result.stdout.trim()
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      const value = await probe()
      if (value !== undefined) return value
    } catch {
      // Not there yet.
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

export interface ServerState {
  /** UP, DOWN, MAINT… (a transition such as "UP 1/2" reads as its first word). */
  status: string
  /** Requests HAProxy sent again after this server failed them. */
  retries: number
  redispatches: number
}

/** Each server as HAProxy sees it (its stats page in CSV), by `backend/server`. */
export async function haproxyServers(statsUrl: string): Promise<Record<string, ServerState>> {
  const [header, ...rows] = (await (await fetch(`${statsUrl}/;csv`)).text()).trim().split('\n')
  const columns = header!.replace(/^# /u, '').split(',')
  const servers: Record<string, ServerState> = {}
  for (const row of rows) {
    const field = Object.fromEntries(row.split(',').map((value, index) => [columns[index], value]))
    if (field.svname === 'FRONTEND' || field.svname === 'BACKEND') continue
    servers[`${field.pxname}/${field.svname}`] = { status: field.status!.split(' ')[0]!, retries: Number(field.wretr), redispatches: Number(field.wredis) }
  }
  return servers
}
