import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose'
import { decryptText, encryptText } from './crypto'
import type { Knex } from './db/knex'
import { ConfigError } from './errors'
import { createSigningKeyQueries, type KeyRow, type KeyRowWithSecret } from './queries/signing-keys'

const ALGORITHM = 'RS256' // what every relying party verifies

/** A new key is published this long before it signs, so every idp process and relying party knows it first. */
export const KEY_PUBLICATION_DELAY = 5 * 60_000 // milliseconds
/**
 * A key that stopped signing stays published a day: the ID tokens it signed expire within an
 * hour, but relying parties still send them as logout hints for as long as their sessions last.
 */
export const KEY_RETIREMENT_DELAY = 24 * 3600_000 // milliseconds

export interface SigningKeyState {
  kid: string
  createdAt: Date
  /** `signing` signs tokens; `upcoming` is published and will sign at `since`; `verifying` is published only. */
  state: 'signing' | 'upcoming' | 'verifying'
  /** For `upcoming`: when it starts signing. For `verifying`: when it stopped. */
  since?: Date
}

const PURPOSE = 'signing keys at rest'

/**
 * Adds a key pair; its private half is stored encrypted under SIGNING_KEYS_SECRET. `now` stamps
 * it: its turn to sign is computed from the same clock (see describeKeys).
 */
export async function createSigningKey(db: Knex | Knex.Transaction, secret: string, now: Date): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true })
  const publicJwk = await exportJWK(publicKey)
  const kid = await calculateJwkThumbprint(publicJwk)
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: ALGORITHM, use: 'sig' }
  await createSigningKeyQueries(db).insert({
    kid,
    alg: ALGORITHM,
    publicJwk: { ...publicJwk, kid, alg: ALGORITHM, use: 'sig' },
    privateJwkEncrypted: encryptText(JSON.stringify(privateJwk), secret, PURPOSE),
    createdAt: now,
  })
  return kid
}

/**
 * Which key signs at `now`: the newest one published for KEY_PUBLICATION_DELAY, or the oldest
 * when none is (the very first key signs at once). Rows come newest first.
 */
function describeKeys(rows: KeyRow[], now: Date): SigningKeyState[] {
  const ready = (row: { created_at: Date }) => row.created_at.getTime() + KEY_PUBLICATION_DELAY <= now.getTime()
  const found = rows.findIndex(ready)
  const signing = found === -1 ? rows.length - 1 : found
  return rows.map((row, index) => {
    if (index === signing) return { kid: row.kid, createdAt: row.created_at, state: 'signing' }
    if (index < signing) return { kid: row.kid, createdAt: row.created_at, state: 'upcoming', since: new Date(row.created_at.getTime() + KEY_PUBLICATION_DELAY) }
    const successor = rows[index - 1]!
    return { kid: row.kid, createdAt: row.created_at, state: 'verifying', since: new Date(successor.created_at.getTime() + KEY_PUBLICATION_DELAY) }
  })
}

export async function listSigningKeys(db: Knex, now: Date): Promise<SigningKeyState[]> {
  return describeKeys(await createSigningKeyQueries(db).listPublished(), now)
}

export interface ProviderKeys {
  /** Private JWKs, the signing key first: oidc-provider signs with the first that fits. */
  jwks: JWK[]
  /** Changes whenever the published keys or the signing key change. */
  fingerprint: string
}

/**
 * The provider's keys at `now`. Generated on first start; an advisory lock keeps two idp
 * processes starting together from creating two.
 */
export async function loadProviderKeys(db: Knex, secret: string, now: Date): Promise<ProviderKeys> {
  return db.transaction(async (trx) => {
    const keys = createSigningKeyQueries(trx)
    await keys.lockUntilCommit()
    let rows: KeyRowWithSecret[] = await keys.listPublishedWithSecrets()
    if (rows.length === 0) {
      await createSigningKey(trx, secret, now)
      rows = await keys.listPublishedWithSecrets()
    }
    const order = describeKeys(rows, now).sort((a, b) => Number(b.state === 'signing') - Number(a.state === 'signing'))
    try {
      const jwks = order.map(({ kid }) => JSON.parse(decryptText(rows.find((row) => row.kid === kid)!.private_jwk_encrypted, secret, PURPOSE)) as JWK)
      return { jwks, fingerprint: order.map(({ kid }) => kid).join(',') }
    } catch {
      throw new ConfigError('Configuration invalide : SIGNING_KEYS_SECRET ne déchiffre pas les clés de signature enregistrées.')
    }
  })
}

export type RetireOutcome = 'retired' | 'unknown' | 'signing' | 'too_soon'

/** Stops publishing a key, once the ID tokens it signed have expired. */
export async function retireSigningKey(db: Knex, kid: string, now: Date): Promise<{ outcome: RetireOutcome; notBefore?: Date }> {
  const key = (await listSigningKeys(db, now)).find((candidate) => candidate.kid === kid)
  if (!key) return { outcome: 'unknown' }
  if (key.state !== 'verifying') return { outcome: 'signing' }
  const notBefore = new Date(key.since!.getTime() + KEY_RETIREMENT_DELAY)
  if (notBefore > now) return { outcome: 'too_soon', notBefore }
  await createSigningKeyQueries(db).retire(kid, now)
  return { outcome: 'retired' }
}
