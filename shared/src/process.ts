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

/** Runs `stop` once on SIGINT/SIGTERM, then exits. */
export function onShutdown(stop: () => Promise<void>): void {
  let stopping = false
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return
      stopping = true
      stop()
        .catch((error: unknown) => console.error(error))
        .finally(() => process.exit(0))
    })
  }
}

/** Listens on `port`; a busy port is a configuration problem named after its variable. */
export function listen(server: Server, port: number, variable: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new ConfigError(`Le port ${port} (${variable}) est déjà utilisé par un autre programme.`) : error),
    )
    server.listen(port, () => resolve())
  })
}
