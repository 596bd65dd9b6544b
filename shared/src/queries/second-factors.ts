import type { Knex } from '../db/knex'

/** A passkey as stored (WebAuthn credential). */
export interface Passkey {
  id: string
  userId: string
  publicKey: Uint8Array<ArrayBuffer>
  counter: number
  transports: string[]
  name: string
  deviceType: 'singleDevice' | 'multiDevice'
  createdAt: Date
  lastUsedAt: Date | null
}

interface PasskeyRow {
  id: string
  user_id: string
  public_key: Buffer
  counter: string | number
  transports: string[]
  name: string
  device_type: 'singleDevice' | 'multiDevice'
  created_at: Date
  last_used_at: Date | null
}

const passkeyFromRow = (row: PasskeyRow): Passkey => ({
  id: row.id,
  userId: row.user_id,
  publicKey: new Uint8Array(row.public_key),
  counter: Number(row.counter),
  transports: row.transports,
  name: row.name,
  deviceType: row.device_type,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
})

/** The factors a person has besides their password. */
export interface SecondFactors {
  totp: boolean
  passkeys: number
  recoveryCodesLeft: number
}

/** The columns of SecondFactors, for the person `:userId`. */
const FACTORS = `exists (select 1 from totp_secrets where user_id = :userId and confirmed_at is not null) as totp,
  (select count(*)::int from webauthn_credentials where user_id = :userId) as passkeys,
  (select count(*)::int from recovery_codes where user_id = :userId and used_at is null) as recovery_codes_left`

interface FactorsRow {
  totp: boolean
  passkeys: number
  recovery_codes_left: number
}

const factorsFromRow = (row: FactorsRow): SecondFactors => ({ totp: row.totp, passkeys: row.passkeys, recoveryCodesLeft: row.recovery_codes_left })

/**
 * The second factors' tables: totp_secrets, recovery_codes, webauthn_credentials,
 * webauthn_challenges. Every "use once" is one conditional UPDATE or DELETE: of two requests
 * racing with the same code, step or challenge, one gets the row.
 */
export function createSecondFactorQueries(db: Knex | Knex.Transaction) {
  return {
    async of(userId: string): Promise<SecondFactors> {
      const [row] = (await db.raw(`select ${FACTORS}`, { userId })).rows as FactorsRow[]
      return factorsFromRow(row!)
    },

    /**
     * What a right password leads to, in one statement: the person's factors, and the names of
     * their active companies that require one, sorted.
     */
    async afterPasswordOf(userId: string): Promise<SecondFactors & { companiesRequiring: string[] }> {
      const [row] = (await db.raw(
        `select ${FACTORS},
                (select coalesce(json_agg(c.name order by c.name), '[]') from memberships m join companies c on c.siren = m.siren
                  where m.user_id = :userId and m.status = 'active' and c.two_factor_required) as companies_requiring`,
        { userId },
      )).rows as (FactorsRow & { companies_requiring: string[] })[]
      return { ...factorsFromRow(row!), companiesRequiring: row!.companies_requiring }
    },

    /** A company's setting, and how many of its active members have no second factor yet. */
    async companyRequirement(siren: string): Promise<{ required: boolean; membersWithout: number }> {
      const [row] = (await db.raw(
        `select c.two_factor_required as required,
                (select count(*)::int from memberships m
                  where m.siren = c.siren and m.status = 'active'
                    and not exists (select 1 from totp_secrets t where t.user_id = m.user_id and t.confirmed_at is not null)
                    and not exists (select 1 from webauthn_credentials w where w.user_id = m.user_id)) as members_without
           from companies c where c.siren = ?`,
        [siren],
      )).rows as { required: boolean; members_without: number }[]
      return { required: row?.required ?? false, membersWithout: row?.members_without ?? 0 }
    },

    async setCompanyRequirement(siren: string, required: boolean): Promise<boolean> {
      return (await db('companies').where({ siren }).whereNot({ two_factor_required: required }).update({ two_factor_required: required, updated_at: db.fn.now() })) === 1
    },

    async findTotp(userId: string): Promise<{ secretEncrypted: string; confirmedAt: Date | null } | undefined> {
      const row = await db('totp_secrets').where({ user_id: userId }).first('secret_encrypted', 'confirmed_at')
      return row && { secretEncrypted: row.secret_encrypted, confirmedAt: row.confirmed_at }
    },

    /** A new secret waiting for its first code; replaces an unconfirmed one, never a confirmed one. */
    async savePendingTotp(userId: string, secretEncrypted: string, at: Date): Promise<boolean> {
      const rows = await db('totp_secrets')
        .insert({ user_id: userId, secret_encrypted: secretEncrypted, created_at: at })
        .onConflict('user_id')
        .merge({ secret_encrypted: secretEncrypted, created_at: at, last_used_step: null })
        .where('totp_secrets.confirmed_at', null)
        .returning('user_id')
      return rows.length === 1
    },

    /**
     * Records that a code of `step` was accepted, if no code of that step or a later one was:
     * false means a replay (or a race lost to the same code). `confirming` also turns a pending
     * secret into a factor.
     */
    async useTotpStep(userId: string, step: number, options: { confirming: boolean; at: Date }): Promise<boolean> {
      const query = db('totp_secrets')
        .where({ user_id: userId })
        .where((where) => where.whereNull('last_used_step').orWhere('last_used_step', '<', step))
      if (options.confirming) query.whereNull('confirmed_at')
      else query.whereNotNull('confirmed_at')
      const rows = await query.update({ last_used_step: step, ...(options.confirming ? { confirmed_at: options.at } : {}) }).returning('user_id')
      return rows.length === 1
    },

    async deleteTotp(userId: string): Promise<number> {
      return db('totp_secrets').where({ user_id: userId }).delete()
    },

    async replaceRecoveryCodes(userId: string, codeHashes: string[]): Promise<void> {
      await db('recovery_codes').where({ user_id: userId }).delete()
      if (codeHashes.length > 0) await db('recovery_codes').insert(codeHashes.map((hash) => ({ user_id: userId, code_hash: hash })))
    },

    /** Marks the code used; false when it is not one of the person's unused codes. */
    async useRecoveryCode(userId: string, codeHash: string, at: Date): Promise<boolean> {
      const rows = await db('recovery_codes').where({ user_id: userId, code_hash: codeHash }).whereNull('used_at').update({ used_at: at }).returning('id')
      return rows.length === 1
    },

    async passkeysOf(userId: string): Promise<Passkey[]> {
      const rows: PasskeyRow[] = await db('webauthn_credentials').where({ user_id: userId }).orderBy('created_at')
      return rows.map(passkeyFromRow)
    },

    async findPasskey(id: string): Promise<Passkey | undefined> {
      const row: PasskeyRow | undefined = await db('webauthn_credentials').where({ id }).first()
      return row && passkeyFromRow(row)
    },

    async insertPasskey(passkey: Omit<Passkey, 'lastUsedAt'>): Promise<void> {
      await db('webauthn_credentials').insert({
        id: passkey.id,
        user_id: passkey.userId,
        public_key: Buffer.from(passkey.publicKey),
        counter: passkey.counter,
        transports: JSON.stringify(passkey.transports),
        name: passkey.name,
        device_type: passkey.deviceType,
        created_at: passkey.createdAt,
      })
    },

    /** Records a use; false when another use got a later counter first (a cloned authenticator, or a replay). */
    async usePasskey(id: string, counter: number, at: Date): Promise<boolean> {
      const rows = await db('webauthn_credentials')
        .where({ id })
        // Authenticators that keep no counter (synced passkeys) always send 0.
        .where((where) => where.where('counter', '<', counter).orWhereRaw('counter = 0 and ?::bigint = 0', [counter]))
        .update({ counter, last_used_at: at })
        .returning('id')
      return rows.length === 1
    },

    async renamePasskey(userId: string, id: string, name: string): Promise<boolean> {
      return (await db('webauthn_credentials').where({ user_id: userId, id }).update({ name })) === 1
    },

    async deletePasskey(userId: string, id: string): Promise<boolean> {
      return (await db('webauthn_credentials').where({ user_id: userId, id }).delete()) === 1
    },

    async saveChallenge(challenge: { challenge: string; userId: string | null; purpose: 'registration' | 'authentication'; expiresAt: Date }): Promise<void> {
      await db('webauthn_challenges').insert({ challenge: challenge.challenge, user_id: challenge.userId, purpose: challenge.purpose, expires_at: challenge.expiresAt })
    },

    /** Takes a challenge once: it is deleted, and returned only when it was still valid at `at`. */
    async takeChallenge(challenge: string, purpose: 'registration' | 'authentication', at: Date): Promise<{ userId: string | null } | undefined> {
      const [row] = await db('webauthn_challenges').where({ challenge, purpose }).delete().returning(['user_id', 'expires_at'])
      return row && row.expires_at > at ? { userId: row.user_id } : undefined
    },

    async deleteExpiredChallenges(before: Date): Promise<number> {
      return db('webauthn_challenges').where('expires_at', '<', before).delete()
    },

    /** Every second factor of the person (operators' `users reset-2fa`); returns how many went. */
    async removeAll(userId: string): Promise<number> {
      const totp = await db('totp_secrets').where({ user_id: userId }).whereNotNull('confirmed_at').delete()
      const passkeys = await db('webauthn_credentials').where({ user_id: userId }).delete()
      await db('totp_secrets').where({ user_id: userId }).delete()
      await db('recovery_codes').where({ user_id: userId }).delete()
      return totp + passkeys
    },
  }
}

export type SecondFactorQueries = ReturnType<typeof createSecondFactorQueries>
