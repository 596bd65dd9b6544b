import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url))

/**
 * The variables of Debian's faketime (CI runs the embedded-database suite 400 days ahead): a child
 * process keeps the clock of the test that started it, as the database does.
 */
export const sameClock: Record<string, string> = Object.fromEntries(
  Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined && (entry[0] === 'LD_PRELOAD' || entry[0].startsWith('FAKETIME'))),
)

export interface Finished {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs one of our TypeScript entry points as its own process, as npm scripts do (tsx); `input` is its standard input. */
export function runEntryPoint(entry: string, args: string[], env: Record<string, string>, timeoutMs = 60_000, input?: string): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
      cwd: repositoryRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'error', ...sameClock, ...env },
    })
    child.stdin.end(input)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${entry} did not finish within ${timeoutMs} ms:\n${stdout}\n${stderr}`))
    }, timeoutMs)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}
