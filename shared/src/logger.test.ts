import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from '@jest/globals'
import { captureLogger } from '../../tests/support/logger'
import { repositoryRoot } from '../../tests/support/processes'

describe('createLogger', () => {
  it("masks passwords, tokens and credentials' headers, and keeps an error's code readable", () => {
    const { logger, entries } = captureLogger('info')
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })
    logger.error({ err: refused }, 'database unavailable')
    logger.info({ password: 'Mot-de-passe-1', form: { password: 'Mot-de-passe-2', code: 'jeton-totp' }, token: 'jeton-1', link: { token: 'jeton-2' } }, 'form')
    logger.info({ query: { code: 'jeton-code' }, body: { access_token: 'jeton-acces', refresh_token: 'jeton-rafraichissement', client_secret: 'jeton-client' } }, 'oauth')
    logger.info({ req: { headers: { cookie: 'idp_session=jeton-session', authorization: 'Basic c2VjcmV0' } }, res: { headers: { 'set-cookie': 'x=jeton-cookie' } } }, 'request')

    expect(entries[0]!.err).toMatchObject({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' })
    expect(entries[1]).toMatchObject({ password: '[masqué]', form: { password: '[masqué]', code: '[masqué]' }, token: '[masqué]', link: { token: '[masqué]' } })
    expect(entries[2]).toMatchObject({ query: { code: '[masqué]' }, body: { access_token: '[masqué]', refresh_token: '[masqué]', client_secret: '[masqué]' } })
    expect(entries[3]).toMatchObject({
      req: { headers: { cookie: '[masqué]', authorization: '[masqué]' } },
      res: { headers: { 'set-cookie': '[masqué]' } },
    })
    expect(JSON.stringify(entries)).not.toMatch(/Mot-de-passe|jeton-|c2VjcmV0/u)
  })

  it('writes out every line before the process exits, even while its standard output is a full pipe', async () => {
    // As an idp stopping while its pollers log failures and nobody reads its output for a while.
    const script = `
      const { closeLogger, createLogger } = await import('./shared/src/logger.ts')
      const logger = createLogger('idp', 'info')
      let count = 0
      const failures = setInterval(() => logger.error({ count: ++count, detail: 'x'.repeat(3000) }, 'logout delivery failed'), 2)
      setTimeout(async () => {
        clearInterval(failures)
        logger.info({ count }, 'stopped')
        await closeLogger(logger)
        process.exit(0)
      }, 300)`
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'inherit'] })
    child.stdout.pause()
    await sleep(1000)
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stdout.resume()
    expect(await new Promise((resolve) => child.once('close', resolve))).toBe(0)

    const entries = output.trimEnd().split('\n').map((line) => JSON.parse(line) as { msg: string; count: number })
    expect(entries.at(-1)?.msg).toBe('stopped')
    expect(entries.map((entry) => entry.count)).toEqual([...Array.from({ length: entries.at(-1)!.count }, (_, index) => index + 1), entries.at(-1)!.count])
  })
})
