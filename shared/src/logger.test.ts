import { describe, expect, it } from '@jest/globals'
import { captureLogger } from '../../tests/support/logger'

describe('createLogger', () => {
  it("masks passwords, tokens and credentials' headers, and keeps an error's code readable", () => {
    const { logger, entries } = captureLogger('info')
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })
    logger.error({ err: refused }, 'database unavailable')
    logger.info({ password: 'Mot-de-passe-1', form: { password: 'Mot-de-passe-2' }, token: 'jeton-1', link: { token: 'jeton-2' } }, 'form')
    logger.info({ req: { headers: { cookie: 'idp_session=secret', authorization: 'Basic c2VjcmV0' } }, res: { headers: { 'set-cookie': 'x=secret' } } }, 'request')

    expect(entries[0]!.err).toMatchObject({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' })
    expect(entries[1]).toMatchObject({ password: '[masqué]', form: { password: '[masqué]' }, token: '[masqué]', link: { token: '[masqué]' } })
    expect(entries[2]).toMatchObject({
      req: { headers: { cookie: '[masqué]', authorization: '[masqué]' } },
      res: { headers: { 'set-cookie': '[masqué]' } },
    })
    expect(JSON.stringify(entries)).not.toMatch(/Mot-de-passe|jeton-|secret|c2VjcmV0/u)
  })
})
