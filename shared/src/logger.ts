import { EventEmitter, once } from 'node:events'
import { pino, type DestinationStream, type Logger } from 'pino'
import { currentRequestId } from './request-context'

export type { Logger }

/**
 * Structured JSON logs, one line each, carrying the id of the request being served, to stdout
 * unless a `destination` is given (tests keep the lines). Secrets never reach them: the paths
 * below are redacted wherever they appear (links' secrets are masked in paths by the request
 * log). An error's `code` (ECONNREFUSED, 57P01…) stays readable: operators need it. `npm start`
 * shows the lines readable.
 */
export function createLogger(name: string, level: string, destination?: DestinationStream): Logger {
  const options = {
    name,
    level,
    mixin() {
      const requestId = currentRequestId()
      return requestId ? { requestId } : {}
    },
    redact: {
      paths: [
        'password', '*.password', 'token', '*.token', 'access_token', '*.access_token', 'refresh_token', '*.refresh_token',
        'id_token', '*.id_token', 'client_secret', '*.client_secret',
        // An OAuth or TOTP code, were a request's parameters logged (an error's own `code` stays readable).
        'query.code', 'body.code', 'form.code', 'params.code',
        'req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]',
      ],
      censor: '[masqué]',
    },
  }
  return destination ? pino(options, destination) : pino(options)
}

/**
 * Resolves once every line logged so far is written out: the last step before the process exits.
 * pino's `flush(cb)` calls back at once, even while a write is under way or waits for a full
 * pipe, and the lines in that write were then lost at exit. Nothing may be logged afterwards.
 */
export async function closeLogger(logger: Logger): Promise<void> {
  const stream: unknown = Reflect.get(logger, pino.symbols.streamSym)
  // The default destination (sonic-boom) emits "close" once its last write is done; tests' own
  // destinations keep every line already.
  if (!(stream instanceof EventEmitter && 'end' in stream && typeof stream.end === 'function')) return
  const closed = once(stream, 'close')
  stream.end()
  await closed
}
