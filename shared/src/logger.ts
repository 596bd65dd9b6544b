import { pino, type Logger } from 'pino'

export type { Logger }

/** Structured JSON logs. Secrets never reach them: the paths below are redacted wherever they appear. */
export function createLogger(name: string, level: string): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: [
        'password',
        '*.password',
        'req.headers.cookie',
        'req.headers.authorization',
        'res.headers["set-cookie"]',
        'token',
        '*.token',
        'code',
        '*.code',
      ],
      censor: '[masqué]',
    },
  })
}
