import { describe, expect, it } from '@jest/globals'
import { captureLogger } from '../../tests/support/logger'

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
})
