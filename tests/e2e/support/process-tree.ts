import type { StackState } from './stack'

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/**
 * Asks `npm start` to stop (SIGTERM: it stops its children and closes the embedded database),
 * then kills whatever is left of its process group.
 */
export async function stopStack({ pid }: StackState, grace = 15_000 /* milliseconds */): Promise<void> {
  if (alive(pid)) process.kill(pid, 'SIGTERM')
  const deadline = Date.now() + grace
  while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100))
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {
    // The group is already gone.
  }
}
