import { rmSync } from 'node:fs'
import { dropDatabase } from './support/database'
import { stopStack } from './support/process-tree'
import { STACK_STATE_VARIABLE, type StackState } from './support/stack'

/** Stops every process of the stack, drops the run's database, removes its DATA_DIR. */
export default async function globalTeardown(): Promise<void> {
  const raw = process.env[STACK_STATE_VARIABLE]
  if (!raw) return
  const state = JSON.parse(raw) as StackState
  await stopStack(state)
  if (state.database) await dropDatabase(state.database.serverUrl, state.database.name)
  rmSync(state.dataDir, { recursive: true, force: true })
}
