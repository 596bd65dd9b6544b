import { Writable } from 'node:stream'
import { pino } from 'pino'
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

/** A logger (warn and above) that keeps its lines, for tests that assert what operators see or that nothing failed. */
export function captureLogger(): { logger: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) entries.push(JSON.parse(line) as LogEntry)
      done()
    },
  })
  return { logger: pino({ level: 'warn' }, sink), entries }
}
