import { Writable } from 'node:stream'
import { createLogger, type Logger } from '@opcommerce/shared/logger'

/** Tests keep their output readable: only errors are logged. */
export const testLogger = createLogger('test', process.env.LOG_LEVEL ?? 'error')

/** A log line as pino writes it. */
export interface LogEntry {
  level: number
  msg: string
  [field: string]: unknown
}

/** pino's levels: 40 warn, 50 error, 60 fatal. */
export const WARN = 40
export const ERROR = 50

/** A logger that keeps its lines (warn and above by default), for tests that assert what operators see or that nothing failed. */
export function captureLogger(level = 'warn'): { logger: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) entries.push(JSON.parse(line) as LogEntry)
      done()
    },
  })
  return { logger: createLogger('test', level, sink), entries }
}
