import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { exportJWK, generateKeyPair, calculateJwkThumbprint, type JWK } from 'jose'
import type { Knex } from '@opcommerce/shared/db/knex'
import { ConfigError } from '@opcommerce/shared/errors'

const ALGORITHM = 'RS256' // what every relying party verifies; rotated with `npm run cli -- keys rotate`

function encryptionKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'opcommerce', 'signing keys at rest', 32))
}

/** AES-256-GCM: iv.tag.ciphertext, base64url. */
export function encryptPrivateKey(jwk: JWK, secret: string): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', encryptionKey(secret), iv)
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(jwk), 'utf8'), cipher.final()])
  return [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url')).join('.')
}

export function decryptPrivateKey(encrypted: string, secret: string): JWK {
  const [iv, tag, ciphertext] = encrypted.split('.').map((part) => Buffer.from(part, 'base64url'))
  const decipher = createDecipheriv('aes-256-gcm', encryptionKey(secret), iv!)
  decipher.setAuthTag(tag!)
  return JSON.parse(Buffer.concat([decipher.update(ciphertext!), decipher.final()]).toString('utf8')) as JWK
}

export async function createSigningKey(db: Knex | Knex.Transaction, secret: string): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true })
  const publicJwk = await exportJWK(publicKey)
  const kid = await calculateJwkThumbprint(publicJwk)
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: ALGORITHM, use: 'sig' }
  await db('signing_keys').insert({
    kid,
    alg: ALGORITHM,
    public_jwk: JSON.stringify({ ...publicJwk, kid, alg: ALGORITHM, use: 'sig' }),
    private_jwk_encrypted: encryptPrivateKey(privateJwk, secret),
  })
  return kid
}

/**
 * The provider's private keys, newest first (the first one signs). Generated on first start;
 * an advisory lock keeps two idp processes starting together from creating two.
 */
export async function loadSigningKeys(db: Knex, secret: string): Promise<JWK[]> {
  return db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', ['signing_keys'])
    let rows = await trx('signing_keys').whereNull('retired_at').orderBy('created_at', 'desc').select('private_jwk_encrypted')
    if (rows.length === 0) {
      await createSigningKey(trx, secret)
      rows = await trx('signing_keys').whereNull('retired_at').select('private_jwk_encrypted')
    }
    try {
      return rows.map((row: { private_jwk_encrypted: string }) => decryptPrivateKey(row.private_jwk_encrypted, secret))
    } catch {
      throw new ConfigError('Configuration invalide : SIGNING_KEYS_SECRET ne déchiffre pas les clés de signature enregistrées.')
    }
  })
}
