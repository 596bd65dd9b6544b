import { spawn } from 'node:child_process'
import { repositoryRoot, sameClock } from './processes'

export interface RunningService {
  /** Every line the process wrote on standard output so far. */
  readonly lines: string[]
  /** Its JSON log lines (pino), parsed. */
  logs(): Record<string, unknown>[]
  /** Resolves with the exit code (or the signal's name) once the process is gone and all it wrote is read. */
  readonly exited: Promise<number | string>
  kill(signal: NodeJS.Signals): void
}

/**
 * Starts one of our long-running entry points as its own process (TypeScript through tsx, or a
 * built `.js` with plain node) and resolves once it logged `readyMessage`.
 */
export async function startService(entry: string, env: Record<string, string>, readyMessage: string, timeoutMs = 60_000): Promise<RunningService> {
  const child = spawn(process.execPath, [...(entry.endsWith('.ts') ? ['--import', 'tsx'] : []), entry], {
    cwd: repositoryRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', ...sameClock, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  let stderr = ''
  let partial = ''
  child.stdout.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n')
    partial = parts.pop()!
    lines.push(...parts)
  })
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<number | string>((resolve) => child.once('close', (code, signal) => resolve(code ?? signal ?? 'unknown')))
  const parse = (line: string) => {
    try {
      return JSON.parse(line) as Record<string, unknown>
    } catch {
      return undefined
    }
  }
  const service: RunningService = {
    lines,
    logs: () => lines.map(parse).filter((entry): entry is Record<string, unknown> => entry !== undefined),
    exited,
    kill: (signal) => child.kill(signal),
  }
  const deadline = Date.now() + timeoutMs
  let code: number | string | undefined
  void exited.then((value) => (code = value))
  while (!service.logs().some((entry) => entry.msg === readyMessage)) {
    if (code !== undefined) throw new Error(`${entry} exited (${code}) before "${readyMessage}":\n${lines.join('\n')}\n${stderr}`)
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`${entry} did not log "${readyMessage}" within ${timeoutMs} ms:\n${lines.join('\n')}\n${stderr}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return service
}

/** The value of one sample of a Prometheus text exposition, undefined when absent. */
export function sample(metricsText: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of metricsText.split('\n')) {
    const match = /^([\w:]+)(?:\{(.*)\})? (\S+)$/u.exec(line)
    if (!match || match[1] !== name) continue
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/gu)].map(([, key, value]) => [key, value]))
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3])
  }
  return undefined
}
