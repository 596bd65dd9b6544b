import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { hashMemberCode } from '@opcommerce/shared/companies'
import { decryptClientSecret } from '@opcommerce/shared/clients'
import { createClientQueries } from '@opcommerce/shared/queries/clients'
import { createMembershipQueries } from '@opcommerce/shared/queries/memberships'
import { createSecondFactorQueries } from '@opcommerce/shared/queries/second-factors'
import { createTestDatabase, type TestDatabase } from '../support/database'
import { runEntryPoint } from '../support/processes'
import { migrationSource } from '../../migrations'

// A test runs the CLI as a process several times, each starting Node and its TypeScript loader:
// 3 to 5 s each on two busy cores, so a test of four commands gets more than jest's usual 30 s.
jest.setTimeout(120_000) // milliseconds

const HMAC_KEY = 'cli-test-member-code-hmac-key-0123456789'

describe('npm run migrate', () => {
  it('creates every table of the data model in an empty database', async () => {
    const database = await createTestDatabase({ empty: true })
    try {
      const result = await runEntryPoint('shared/src/cli/migrate.ts', [], { DATABASE_URL: database.url, DATA_DIR: mkdtempSync(path.join(tmpdir(), 'opco-cli-')) })
      expect(result.stderr).toBe('')
      expect(result.stdout).toContain(`Base de données à jour (DATABASE_URL) : ${(await migrationSource.getMigrations([])).length} migration(s) appliquée(s).`)
      expect(result.stdout).toContain('Client « portal » enregistré pour http://localhost:3000 (retour : http://localhost:3000/auth/callback).')
      expect(await createClientQueries(database.knex).find('portal')).toMatchObject({ firstParty: true, metadata: { redirect_uris: ['http://localhost:3000/auth/callback'] } })
      const { rows } = await database.knex.raw("select table_name from information_schema.tables where table_schema = 'public' order by table_name")
      expect(rows.map((row: { table_name: string }) => row.table_name)).toEqual(
        expect.arrayContaining(['users', 'registrations', 'email_tokens', 'oidc_payloads', 'oidc_clients', 'signing_keys', 'companies', 'memberships', 'held_requests', 'mail_outbox', 'audit_events', 'rate_limits', 'portal_sessions', 'invitations', 'company_domains', 'logout_deliveries', 'portal_logout_tokens']),
      )
      await expect(database.knex.raw("insert into users (email, password_hash, given_name, family_name) values ('A@x.fr', 'h', 'A', 'B'), ('a@X.fr', 'h', 'A', 'B')")).rejects.toThrow(/users_email_unique/u)
    } finally {
      await database.close()
    }
  })
})

describe('npm run cli', () => {
  let database: TestDatabase | undefined
  let env: Record<string, string>
  const cli = (...args: string[]) => runEntryPoint('shared/src/cli/main.ts', args, env)

  beforeAll(async () => {
    database = await createTestDatabase()
    env = { DATABASE_URL: database.url, DATA_DIR: mkdtempSync(path.join(tmpdir(), 'opco-cli-')), MEMBER_CODE_HMAC_KEY: HMAC_KEY, SIGNING_KEYS_SECRET: 'cli-test-signing-keys-secret-0123456789' }
  })

  afterAll(async () => {
    await database?.close()
  })

  it('prints its usage on --help or -h and exits with 0; an unknown command gets the usage and 1', async () => {
    for (const args of [['--help'], ['-h'], ['keys', 'rotate', '--help']]) {
      const help = await cli(...args)
      expect(help.code).toBe(0)
      expect(help.stderr).toBe('')
      expect(help.stdout).toContain('Utilisation : npm run cli -- <commande>')
      expect(help.stdout).toContain('companies import FICHIER.csv')
    }
    expect(await database!.knex('signing_keys').select('kid')).toEqual([]) // `keys rotate --help` rotated nothing
    const unknown = await cli('clents', 'list')
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('Commande inconnue : clents')
    expect(unknown.stderr).toContain('Utilisation : npm run cli -- <commande>')
  })

  it('creates a client with the default grants and prints the generated secret once', async () => {
    const result = await cli('clients', 'create', '--client-id', 'paie', '--redirect-uri', 'https://paie.opcommerce.test/callback', '--name', 'Paie', '--tool', '--url', 'https://paie.opcommerce.test', '--description', 'Déclarations de paie')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Client « paie » créé (authorization_code, refresh_token).')
    const secret = result.stdout.trim().split('\n').at(-1)!
    expect(secret).toMatch(/^[\w-]{43}$/u)
    const client = await createClientQueries(database!.knex).find('paie')
    expect(client).toMatchObject({ name: 'Paie', tool: true, url: 'https://paie.opcommerce.test', description: 'Déclarations de paie' })
    expect(client!.metadata).toMatchObject({ grant_types: ['authorization_code', 'refresh_token'], redirect_uris: ['https://paie.opcommerce.test/callback'] })
    // The secret is stored encrypted, nowhere in clear.
    const stored = JSON.stringify(await database!.knex('oidc_clients').where({ client_id: 'paie' }).first())
    expect(stored).not.toContain(secret)
    expect(decryptClientSecret(client!.secretEncrypted!, env.SIGNING_KEYS_SECRET!)).toBe(secret)
    expect(await createClientQueries(database!.knex).listTools()).toEqual([{ clientId: 'paie', name: 'Paie', description: 'Déclarations de paie', href: 'https://paie.opcommerce.test' }])
    expect(await database!.knex('audit_events').where({ type: 'client.saved', subject: 'paie' }).first()).toMatchObject({ actor: expect.stringMatching(/^cli:/u) })
  })

  it('lists and deletes clients', async () => {
    await cli('clients', 'create', '--client-id', 'batch', '--grant-type', 'client_credentials', '--client-secret', 'batch-secret-0123456789abcdefghijklmnopqr')
    const list = await cli('clients', 'list')
    expect(list.stdout).toContain('batch — batch')
    expect(list.stdout).toContain('grants : client_credentials')
    expect((await cli('clients', 'delete', '--client-id', 'batch')).stdout).toContain('Client « batch » supprimé.')
    expect(await createClientQueries(database!.knex).find('batch')).toBeUndefined()
    const again = await cli('clients', 'delete', '--client-id', 'batch')
    expect(again.code).toBe(1)
    expect(again.stderr.trim()).toBe('Aucun client « batch ».')
  })

  it('registers a back-channel logout URI and a resource server, and lists them', async () => {
    const created = await cli('clients', 'create', '--client-id', 'agenda', '--redirect-uri', 'https://agenda.opcommerce.test/callback', '--backchannel-logout-uri', 'https://agenda.opcommerce.test/backchannel-logout')
    expect(created.code).toBe(0)
    expect((await createClientQueries(database!.knex).find('agenda'))!.metadata).toMatchObject({
      backchannel_logout_uri: 'https://agenda.opcommerce.test/backchannel-logout',
      backchannel_logout_session_required: true,
    })
    await cli('clients', 'create', '--client-id', 'api-paie', '--grant-type', 'client_credentials', '--resource-server')
    expect((await createClientQueries(database!.knex).find('api-paie'))!.metadata).toMatchObject({ resource_server: true })
    expect((await createClientQueries(database!.knex).find('agenda'))!.metadata.resource_server).toBeUndefined()
    const list = (await cli('clients', 'list')).stdout
    expect(list).toContain('api-paie — api-paie [serveur de ressources]')
    expect(list).toContain('backchannel_logout_uri : https://agenda.opcommerce.test/backchannel-logout')
    const badUri = await cli('clients', 'create', '--client-id', 'agenda', '--redirect-uri', 'https://agenda.opcommerce.test/callback', '--backchannel-logout-uri', 'agenda')
    expect(badUri.code).toBe(1)
    expect(badUri.stderr).toContain('backchannelLogoutUri : doit être une URL absolue http(s)')
  })

  it('lists the logout tokens not delivered yet, and refuses a status it does not know', async () => {
    expect((await cli('logouts', 'list')).stdout.trim()).toBe('Aucun jeton de déconnexion en attente ni abandonné.')
    expect(JSON.parse((await cli('logouts', 'list', '--json')).stdout)).toEqual([])
    const unknown = await cli('logouts', 'list', '--status', 'perdu')
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('Statut inconnu : perdu')
  })

  it('refuses an incomplete or malformed client with a French explanation', async () => {
    const noRedirect = await cli('clients', 'create', '--client-id', 'sans-retour')
    expect(noRedirect.code).toBe(1)
    expect(noRedirect.stderr).toContain('au moins une --redirect-uri est nécessaire pour authorization_code')
    const badUri = await cli('clients', 'create', '--client-id', 'x', '--redirect-uri', 'pas-une-url')
    expect(badUri.stderr).toContain('doit être une URL absolue http(s)')
    const unknownOption = await cli('clients', 'create', '--client-id', 'x', '--colour', 'bleu')
    expect(unknownOption.code).toBe(1)
    expect(unknownOption.stderr).toContain('Utilisation : npm run cli')
    expect(await createClientQueries(database!.knex).find('x')).toBeUndefined()
  })

  it('imports the company directory idempotently, reporting each rejected line with its number', async () => {
    const file = path.join(env.DATA_DIR!, 'entreprises.csv')
    writeFileSync(
      file,
      [
        'siren;name;code_adherent',
        '732 829 320;Opcommerce Test;ADH-1',
        '552100554;Autre Société;K7P2-XW9Q-4M',
        '123456789;Siren faux;ADH-3',
        '12345;Trop court;ADH-4',
        '356000000;;ADH-5',
        '356000000;Sans code;',
        '552100554;Doublon;ADH-6',
        'trop;de;colonnes;ici',
      ].join('\n'),
    )
    const first = await cli('companies', 'import', file)
    expect(first.code).toBe(2)
    expect(first.stdout).toContain('2 entreprise(s) créée(s), 0 mise(s) à jour, 0 inchangée(s).')
    expect(first.stdout).toContain('6 ligne(s) rejetée(s) :')
    expect(first.stdout).toContain('Attention : 1 code(s) adhérent faible(s) (moins de 8 caractères, ou uniquement des chiffres), plus faciles à deviner : lignes 2.')
    expect(first.stdout).toContain("ligne 4 : Siren « 123456789 » : Ce Siren n'est pas valide : vérifiez les chiffres saisis.")
    expect(first.stdout).toContain('ligne 5 : Siren « 12345 » : Le Siren doit comporter exactement 9 chiffres.')
    expect(first.stdout).toContain('ligne 6 : nom manquant')
    expect(first.stdout).toContain('ligne 7 : code adhérent manquant ou invalide')
    expect(first.stdout).toContain('ligne 8 : Siren 552100554 déjà présent ligne 3')
    expect(first.stdout).toContain('ligne 9 : 4 colonnes au lieu de 3')

    const company = await database!.knex('companies').where({ siren: '732829320' }).first()
    expect(company).toMatchObject({ name: 'Opcommerce Test', member_code_hash: hashMemberCode('ADH-1', HMAC_KEY) })
    const { rows } = await database!.knex.raw("select count(*)::int as count from companies where member_code_hash like '%ADH%' or name like '%ADH%'")
    expect(rows[0].count).toBe(0)

    writeFileSync(file, 'siren;name;code_adherent\n732829320;Opcommerce Test;ADH-1\n552100554;Autre Société renommée;K7P2-XW9Q-4M\n')
    const second = await cli('companies', 'import', file)
    expect(second.code).toBe(0)
    expect(second.stdout.trim().split('\n')[0]).toBe('0 entreprise(s) créée(s), 1 mise(s) à jour, 1 inchangée(s).')
  })

  it('lists the companies under protection and the requests held for the Opcommerce, and settles them', async () => {
    expect((await cli('companies', 'under-attack')).stdout.trim()).toBe('Aucune entreprise sous protection.')
    const knex = database!.knex
    const [user] = await knex('users')
      .insert({ email: 'jeanne@client.fr', password_hash: 'h', given_name: 'Jeanne', family_name: 'Client', email_verified_at: new Date() })
      .returning('id')
    await knex('audit_events').insert({ type: 'company.protection_started', subject: '732829320', details: JSON.stringify({ until: new Date(Date.now() + 3600_000).toISOString() }) })
    await knex('held_requests').insert({ user_id: user.id, siren: '732829320', code_matched: true, created_at: new Date() })
    const attack = await cli('companies', 'under-attack')
    expect(attack.stdout).toMatch(/^732829320 — Opcommerce Test — sous protection depuis le .+, jusqu'au .+ — 0 code\(s\) faux, 1 demande\(s\) en attente de vérification$/mu)
    const pending = await cli('memberships', 'pending-confirmation')
    expect(pending.stdout).toMatch(/^732829320 \(Opcommerce Test\) — Jeanne Client <jeanne@client\.fr> — code adhérent correct, 1 essai\(s\), le /mu)
    const confirmed = await cli('memberships', 'confirm', '--email', 'jeanne@client.fr', '--siren', '732829320')
    expect(confirmed.code).toBe(0)
    expect(confirmed.stdout.trim()).toBe("Demande confirmée : jeanne@client.fr devient administrateur de son accès (Siren 732829320). Un email l'en informe.")
    expect(await knex('memberships').where({ user_id: user.id, siren: '732829320' }).first()).toMatchObject({ role: 'admin', status: 'active' })
    const again = await cli('memberships', 'confirm', '--email', 'jeanne@client.fr', '--siren', '732829320')
    expect(again.code).toBe(1)
    expect(again.stderr.trim()).toBe('Aucune demande en attente de vérification pour jeanne@client.fr et le Siren 732829320.')
  })

  it('refuses a file without the expected header', async () => {
    const file = path.join(env.DATA_DIR!, 'sans-entete.csv')
    writeFileSync(file, '732829320;Opcommerce;ADH-1\n')
    const result = await cli('companies', 'import', file)
    expect(result.code).toBe(1)
    expect(result.stderr.trim()).toBe('La première ligne doit être l\'en-tête « siren;name;code_adherent ».')
    const missing = await cli('companies', 'import', path.join(env.DATA_DIR!, 'absent.csv'))
    expect(missing.stderr).toContain('Fichier illisible')
  })

  it('rotates the token signing keys and refuses to retire the one that signs', async () => {
    expect((await cli('keys', 'list')).stdout.trim()).toBe("Aucune clé : l'idp en créera une à son premier démarrage.")
    const first = await cli('keys', 'rotate')
    const firstKid = /^Clé ([\w-]+) créée/u.exec(first.stdout)![1]!
    expect((await cli('keys', 'list')).stdout).toContain(`${firstKid} — créée le`)
    expect((await cli('keys', 'list')).stdout).toContain('signe les jetons')
    const second = await cli('keys', 'rotate')
    expect(second.stdout).toMatch(/publiée dès maintenant, elle signera les jetons à partir du/u)
    const list = (await cli('keys', 'list')).stdout
    expect(list).toMatch(/publiée, signera à partir du/u)
    const refused = await cli('keys', 'retire', '--kid', firstKid)
    expect(refused.code).toBe(1)
    expect(refused.stderr.trim()).toBe("Cette clé signe encore les jetons (ou va les signer) : faites d'abord « keys rotate ».")
  })

  it('lists the access requests escalated to the Opcommerce, in words or as JSON, until they are settled', async () => {
    expect((await cli('memberships', 'escalated')).stdout.trim()).toBe("Aucune demande d'accès transmise à l'Opcommerce en attente.")
    const knex = database!.knex
    const siren = '412350001'
    await knex('companies').insert({ siren, name: 'Entreprise Muette', member_code_hash: hashMemberCode('ADH-1', HMAC_KEY) })
    const [admin, requester] = await knex('users')
      .insert([
        { email: 'admin.muet@exemple.fr', password_hash: 'h', given_name: 'Alain', family_name: 'Muet', email_verified_at: new Date() },
        { email: 'lea.attente@exemple.fr', password_hash: 'h', given_name: 'Léa', family_name: 'Attente', email_verified_at: new Date() },
      ])
      .returning('id')
    const memberships = createMembershipQueries(knex)
    const requestedAt = new Date(Date.now() - 9 * 24 * 3600_000)
    await memberships.upsert({ userId: admin.id, siren, role: 'admin', status: 'active', at: requestedAt })
    await memberships.upsert({ userId: requester.id, siren, role: 'member', status: 'pending', at: requestedAt })
    expect(await memberships.recordEscalation(requester.id, siren, new Date(), new Date(Date.now() - 7 * 24 * 3600_000))).toBe(true)

    const listed = await cli('memberships', 'escalated')
    expect(listed.code).toBe(0)
    expect(listed.stdout).toContain(`${siren} Entreprise Muette — Léa Attente <lea.attente@exemple.fr> (utilisateur ${requester.id})`)
    expect(listed.stdout).toContain('administrateurs : admin.muet@exemple.fr')
    const json = JSON.parse((await cli('memberships', 'escalated', '--json')).stdout)
    expect(json).toEqual([expect.objectContaining({ siren, companyName: 'Entreprise Muette', user: expect.objectContaining({ email: 'lea.attente@exemple.fr' }), adminEmails: ['admin.muet@exemple.fr'] })])

    await memberships.decide(requester.id, siren, { status: 'active', role: 'member', by: admin.id, at: new Date() })
    expect(JSON.parse((await cli('memberships', 'escalated', '--json')).stdout)).toEqual([])
    const unknown = await cli('memberships', 'effacer')
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('Action inconnue : memberships effacer')
  })

  it('users reset-2fa: removes every second factor of a person, audited under the operator, and mails them', async () => {
    const knex = database!.knex
    const [user] = await knex('users').insert({ email: 'Perdu@Exemple.fr', password_hash: 'h', given_name: 'Paul', family_name: 'Perdu', email_verified_at: new Date() }).returning('id')
    const factors = createSecondFactorQueries(knex)
    await knex('totp_secrets').insert({ user_id: user.id, secret_encrypted: 'x', confirmed_at: new Date(), created_at: new Date() })
    await factors.replaceRecoveryCodes(user.id, ['a', 'b'])
    await factors.insertPasskey({ id: 'cle-perdue', userId: user.id, publicKey: new Uint8Array([1]), counter: 0, transports: [], name: 'Clé', deviceType: 'singleDevice', createdAt: new Date() })

    const result = await cli('users', 'reset-2fa', '--email', 'perdu@exemple.fr')
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Double authentification de Perdu@Exemple.fr réinitialisée : 2 facteur(s) retiré(s)')
    expect(await factors.of(user.id)).toEqual({ totp: false, passkeys: 0, recoveryCodesLeft: 0 })
    expect(await knex('users').where({ id: user.id }).first('password_hash')).toEqual({ password_hash: 'h' })
    const audit = await knex('audit_events').where({ type: 'two_factor.reset_by_operator', subject: user.id }).first()
    expect(audit.actor).toMatch(/^cli:/u)
    const mail = await knex('mail_outbox').where({ to: 'Perdu@Exemple.fr', template: 'two_factor_reset' }).first()
    expect(mail).toBeDefined()

    const unknown = await cli('users', 'reset-2fa', '--email', 'personne@exemple.fr')
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('Aucun compte pour personne@exemple.fr.')
  })
})
