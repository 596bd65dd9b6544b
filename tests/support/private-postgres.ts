import { execFile } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { freePort } from './ports'

const run = promisify(execFile)
const BIN = '/usr/lib/postgresql/15/bin'

/** A PostgreSQL 15 server of a test's own, which it may stop and start (never the shared cluster). */
export interface PrivatePostgres {
  url: string
  stop(): Promise<void>
  start(): Promise<void>
  destroy(): Promise<void>
}

/** Whether this machine can run one: PostgreSQL 15's binaries, and root to run them as `postgres`. */
export const canRunPrivatePostgres = () => existsSync(`${BIN}/initdb`) && userInfo().uid === 0

/** initdb in a temporary directory, then a server on a free loopback port, run as the `postgres` user. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(path.join(tmpdir(), 'opco-pg-'))
  const { uid, gid } = await run('id', ['-u', 'postgres']).then(async ({ stdout }) => ({ uid: Number(stdout), gid: Number((await run('id', ['-g', 'postgres'])).stdout) }))
  chownSync(dir, uid, gid)
  const data = path.join(dir, 'data')
  const port = await freePort()
  const asPostgres = (command: string, args: string[]) => run('runuser', ['-u', 'postgres', '--', `${BIN}/${command}`, ...args], { env: { PATH: process.env.PATH ?? '', LANG: 'C.UTF-8' } })
  await asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'])
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`
  const start = async () => void (await asPostgres('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', 'start']))
  await start()
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop: async () => void (await asPostgres('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop'])),
    async destroy() {
      await asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
