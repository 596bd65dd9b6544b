import { pino, type DestinationStream, type Logger } from 'pino'

export type { Logger }

/**
 * Structured JSON logs, to stdout unless a `destination` is given (tests keep the lines). Secrets
 * never reach them: the paths below are redacted wherever they appear.
 */
export function createLogger(name: string, level: string, destination?: DestinationStream): Logger {
  const options = {
    name,
    level,
    redact: {
      paths: ['password', '*.password', 'req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]', 'token', '*.token', 'code', '*.code'],
      censor: '[masqué]',
    },
  }
  return destination ? pino(options, destination) : pino(options)
}
