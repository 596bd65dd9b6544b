import type { Server } from 'node:http'
import { ConfigError } from './errors'

/**
 * Runs a process's entry point: a configuration problem (wrong variable, unreachable database,
 * busy port) prints one French line and exits with 1; anything else prints its stack.
 */
export function runMain(main: () => Promise<unknown>): void {
  main().catch((error: unknown) => {
    if (error instanceof ConfigError) console.error(error.message)
    else console.error(error)
    process.exit(1)
  })
}

export interface ShutdownOptions {
  /** Milliseconds `stop` may take; past them the process exits anyway, with 1. */
  timeoutMs: number
  /**
   * A signal received while stopping. By default it is ignored: a terminal's Ctrl+C reaches every
   * process of the group, and `npm start` forwards it to its children too.
   */
  onRepeatedSignal?: () => void
}

/** Runs `stop` once on SIGINT/SIGTERM, then exits: 0 when it finished in time, 1 otherwise. */
export function onShutdown(stop: () => Promise<void>, { timeoutMs, onRepeatedSignal }: ShutdownOptions): void {
  let stopping = false
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return onRepeatedSignal?.()
      stopping = true
      setTimeout(() => {
        console.error(`Arrêt forcé : l'arrêt propre a dépassé ${timeoutMs} ms.`)
        process.exit(1)
      }, timeoutMs)
      stop().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error)
          process.exit(1)
        },
      )
    })
  }
}

/**
 * Stops accepting connections and resolves once the requests in flight are answered (idle
 * keep-alive connections close at once). The caller's deadline bounds the wait.
 */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    server.closeIdleConnections()
  })
}

/** Listens on `port`; a busy port is a configuration problem named after its variable. */
export function listen(server: Server, port: number, variable: string, host?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new ConfigError(`Le port ${port} (${variable}) est déjà utilisé par un autre programme.`) : error),
    )
    server.listen(port, host, () => resolve())
  })
}
