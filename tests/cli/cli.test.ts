import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { createClientQueries } from '@opcommerce/shared/queries/clients'
import { useCli } from '../support/cli'
import { createTestDatabase } from '../support/database'
import { runEntryPoint } from '../support/processes'
import { migrationSource } from '../../migrations'

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

describe('npm run cli: usage, help and exit codes', () => {
  const cli = useCli()

  it('prints its usage on --help, -h or help and exits with 0, without opening a database', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'opco-cli-help-'))
    for (const args of [['--help'], ['-h'], ['help']]) {
      const help = await runEntryPoint('shared/src/cli/main.ts', args, { DATA_DIR: dataDir })
      expect(help).toMatchObject({ code: 0, stderr: '' })
      expect(help.stdout).toContain('Utilisation : npm run cli -- <commande> [options]')
      expect(help.stdout).toContain('companies import FICHIER.csv [--dry-run]')
      expect(help.stdout).toContain('Codes de sortie : 0 fait ; 1 commande incorrecte, refus ou erreur ; 2 fait en partie (lignes rejetées) ; 3 introuvable')
    }
    expect(readdirSync(dataDir)).toEqual([])
  })

  it('prints the help of every command it lists, and of every group, with exit code 0 and nothing done', async () => {
    const usage = (await runEntryPoint('shared/src/cli/main.ts', ['--help'], cli.env)).stdout
    const commands = [...usage.matchAll(/^ {2}([a-z]+) ([a-z0-9-]+)/gmu)].map((match) => [match[1]!, match[2]!] as const)
    expect(commands.map((command) => command.join(' '))).toEqual(
      expect.arrayContaining(['users find', 'users show', 'users unlock', 'users disable', 'users enable', 'users delete', 'memberships list', 'memberships grant', 'memberships revoke', 'memberships escalated', 'memberships pending-confirmation', 'memberships confirm', 'memberships reject', 'companies import', 'companies under-attack', 'clients create', 'clients list', 'clients delete', 'clients disable', 'clients enable', 'outbox list', 'outbox retry', 'logouts list', 'audit list', 'keys list', 'keys rotate', 'keys retire']),
    )
    const before = await cli.database.knex('audit_events').count({ count: '*' })
    for (let index = 0; index < commands.length; index += 4) {
      await Promise.all(
        commands.slice(index, index + 4).map(async ([group, action]) => {
          const help = await cli.run([group, action, '--help'])
          expect({ command: `${group} ${action}`, code: help.code, stderr: help.stderr }).toEqual({ command: `${group} ${action}`, code: 0, stderr: '' })
          const [synopsis, , summary] = help.stdout.split('\n')
          expect(synopsis).toMatch(new RegExp(`^Utilisation : npm run cli -- ${group} ${action}\\b`, 'u'))
          expect(summary!.length).toBeGreaterThan(20)
          expect(help.stdout).toContain('--json')
        }),
      )
    }
    const groupHelp = await cli.run(['clients', '--help'])
    expect(groupHelp).toMatchObject({ code: 0, stderr: '' })
    expect(groupHelp.stdout).toContain('clients delete --client-id ID')
    expect(groupHelp.stdout).not.toContain('keys rotate')
    expect(await cli.database.knex('signing_keys').select('kid')).toEqual([]) // `keys rotate --help` rotated nothing
    expect(await cli.database.knex('audit_events').count({ count: '*' })).toEqual(before)
  })

  it('refuses a wrong command line in French with the usage and exit code 1', async () => {
    const unknown = await cli.run(['clents', 'list'])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('Commande inconnue : clents')
    expect(unknown.stderr).toContain('Utilisation : npm run cli -- <commande>')

    const noAction = await cli.run(['keys'])
    expect(noAction.code).toBe(1)
    expect(noAction.stderr).toContain('Indiquez une action de « keys ».')
    expect(noAction.stderr).toContain('keys retire --kid KID')

    const unknownOption = await cli.run(['keys', 'retire', '--kdi', 'x'])
    expect(unknownOption.code).toBe(1)
    expect(unknownOption.stderr).toContain('Option inconnue : --kdi')
    expect(unknownOption.stderr).toContain('Utilisation : npm run cli -- keys retire --kid KID')

    const missingValue = await cli.run(['keys', 'retire', '--kid'])
    expect(missingValue.code).toBe(1)
    expect(missingValue.stderr).toContain("L'option --kid attend une valeur.")

    const extraArgument = await cli.run(['keys', 'list', 'toutes'])
    expect(extraArgument.code).toBe(1)
    expect(extraArgument.stderr).toContain('Argument inattendu : toutes')
    for (const result of [unknown, noAction, unknownOption, missingValue, extraArgument]) expect(result.stdout).toBe('')
  })

  it('lists the logout tokens not delivered yet, and refuses a status it does not know', async () => {
    expect((await cli.run(['logouts', 'list'])).stdout.trim()).toBe('Aucun jeton de déconnexion en attente ni abandonné.')
    expect(await cli.json(['logouts', 'list'])).toEqual([])
    const unknown = await cli.run(['logouts', 'list', '--status', 'perdu'])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('Statut inconnu : perdu')
  })

  it('answers 3 when what it is asked about does not exist', async () => {
    const result = await cli.run(['clients', 'delete', '--client-id', 'inconnu'])
    expect(result).toMatchObject({ code: 3, stdout: '' })
    expect(result.stderr.trim()).toBe('Aucun client « inconnu ».')
  })
})
