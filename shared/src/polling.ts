const FIRST_RETRY = 15_000 // milliseconds; doubles at each failed attempt
const LAST_RETRY = 3_600_000 // milliseconds: the longest wait between two attempts

/** How long an outbox waits before trying a delivery again, after `attempts` failed ones. */
export function retryDelay(attempts: number): number {
  return Math.min(FIRST_RETRY * 2 ** Math.max(0, attempts - 1), LAST_RETRY)
}

/**
 * Runs `work` at once, then `intervalMs` after each run ends, until `stop()`, which waits for
 * the run in progress. A run that throws goes to `onError`; the next one comes all the same.
 */
export function startPolling(work: () => Promise<unknown>, intervalMs: number, onError: (error: unknown) => void): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined
  let running: Promise<unknown> = Promise.resolve()
  const tick = () => {
    running = work()
      .catch(onError)
      .finally(() => {
        if (timer) timer = setTimeout(tick, intervalMs)
      })
  }
  timer = setTimeout(tick, 0)
  return {
    async stop() {
      clearTimeout(timer)
      timer = undefined
      await running
    },
  }
}
