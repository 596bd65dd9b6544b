import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { BadRequestError, ConflictError } from '@opcommerce/shared/errors'
import { createHeldRequestDesk } from '@opcommerce/shared/held-requests'
import { createMembershipQueries } from '@opcommerce/shared/queries/memberships'
import { createTestDatabase, type TestDatabase } from '../../../tests/support/database'
import { testConfig } from '../../../tests/support/idp'
import { captureLogger, WARN, type LogEntry } from '../../../tests/support/logger'
import { createCompany, createUser, testPortalContext } from '../../../tests/support/portal'
import { queuedMails } from '../../../tests/support/rows'
import { startSmtpCapture, type SmtpCapture } from '../../../tests/support/smtp'
import type { MembershipRules } from './memberships'
import { messages } from './messages'

const PARALLEL = 40
/** The production budgets (memberships.ts): 10 wrong codes an hour per user, 20 a day per company. */
const PER_USER = 10
const PER_COMPANY_PER_DAY = 20

describe('codes adhérent cannot be guessed into a takeover, and the real people are never locked out', () => {
  let database: TestDatabase | undefined
  let smtp: SmtpCapture | undefined
  let rules: MembershipRules
  let logs: LogEntry[]
  const config = () => testConfig(database!, smtp!)
  const count = async (table: string, where: Record<string, unknown>) => {
    const [row] = await database!.knex(table).where(where).select(database!.knex.raw('count(*)::int as count'))
    return Number((row as { count: number }).count)
  }

  beforeAll(async () => {
    database = await createTestDatabase()
    smtp = await startSmtpCapture()
    const captured = captureLogger()
    logs = captured.entries
    // The production limits, not the relaxed ones of the other portal tests.
    rules = testPortalContext(config(), database.knex, { limits: {}, logger: captured.logger }).memberships
  })

  afterAll(async () => {
    await smtp?.close()
    await database?.close()
  })

  it(`evaluates ${PER_USER} of 40 wrong codes one user sends at once`, async () => {
    const company = await createCompany(database!.knex, config(), 'Société Rafale')
    const mallory = await createUser(database!.knex, 'Mallory')
    const answers = await Promise.allSettled(Array.from({ length: PARALLEL }, (_, index) => rules.linkCompany(mallory, { siren: company.siren, code: `FAUX-${index}` }, `198.51.100.${index}`)))
    const refused = answers.map((answer) => (answer as PromiseRejectedResult).reason as Error)
    expect(refused.filter((error) => error instanceof BadRequestError)).toHaveLength(PER_USER)
    expect(refused.filter((error) => (error as { status?: number }).status === 429)).toHaveLength(PARALLEL - PER_USER)
    expect(await count('audit_events', { type: 'company.link_failed', subject: company.siren })).toBe(PER_USER)
  })

  it(`answers ${PER_COMPANY_PER_DAY} of 40 wrong codes sent at once from 40 accounts and addresses, then holds every request for the Opcommerce`, async () => {
    const company = await createCompany(database!.knex, config(), 'Boulangerie Convoitée')
    const attackers = await Promise.all(Array.from({ length: PARALLEL }, (_, index) => createUser(database!.knex, `Pirate${'abcdefghijklmnopqrstuvwxyzabcdefghijklmnop'[index]}`)))
    const answers = await Promise.allSettled(attackers.map((attacker, index) => rules.linkCompany(attacker, { siren: company.siren, code: `ADH-${index}` }, `203.0.113.${index}`)))

    const answered = answers.filter((answer) => answer.status === 'rejected')
    const held = answers.filter((answer) => answer.status === 'fulfilled')
    expect(answered).toHaveLength(PER_COMPANY_PER_DAY)
    for (const answer of answered) expect((answer as PromiseRejectedResult).reason).toMatchObject({ message: messages.link.noMatch })
    expect(held).toHaveLength(PARALLEL - PER_COMPANY_PER_DAY)
    for (const answer of held) expect((answer as PromiseFulfilledResult<unknown>).value).toEqual({ outcome: 'held' })
    // Evaluated with an answer that tells right from wrong: the company's daily budget, not one more.
    expect(await count('audit_events', { type: 'company.link_failed', subject: company.siren })).toBe(PER_COMPANY_PER_DAY)
    expect(await count('audit_events', { type: 'company.protection_started', subject: company.siren })).toBe(1)
    expect(logs.filter((entry) => entry.level === WARN && entry.siren === company.siren && /under protection/u.test(entry.msg))).toHaveLength(1)
    expect(await count('memberships', { siren: company.siren })).toBe(0)

    // The company's real accountant, with the right code: the same answer, and nobody becomes administrator.
    const accountant = await createUser(database!.knex, 'Comptable')
    expect(await rules.linkCompany(accountant, company, '192.0.2.10')).toEqual({ outcome: 'held' })
    expect(await createMembershipQueries(database!.knex).find(accountant.id, company.siren)).toBeUndefined()
    // An unknown SIREN under attack answers the same: the directory cannot be probed either.
    const unknownSiren = '732829320'
    for (let attempt = 0; attempt <= PER_COMPANY_PER_DAY; attempt++) await rules.linkCompany(attackers[attempt % PARALLEL]!, { siren: unknownSiren, code: 'X' }, '198.51.100.1').catch(() => undefined)
    expect(await rules.linkCompany(accountant, { siren: unknownSiren, code: 'X' }, '192.0.2.10')).toEqual({ outcome: 'held' })

    // Operators see it, and settle it.
    const desk = createHeldRequestDesk({ config: config(), db: database!.knex })
    const underProtection = await desk.underProtection(new Date())
    expect(underProtection).toEqual(
      expect.arrayContaining([expect.objectContaining({ siren: company.siren, name: 'Boulangerie Convoitée', wrongCodes: PARALLEL, heldRequests: PARALLEL - PER_COMPANY_PER_DAY + 1 })]),
    )
    const waiting = (await desk.pending()).filter((request) => request.siren === company.siren)
    expect(waiting.filter((request) => request.codeMatched).map((request) => request.email)).toEqual([accountant.email])
    const wrong = waiting.find((request) => !request.codeMatched)!
    await expect(desk.confirm(wrong.email, company.siren, 'cli:test', new Date())).rejects.toBeInstanceOf(ConflictError)
    await desk.reject(wrong.email, company.siren, 'cli:test', new Date())
    expect(await queuedMails(database!.knex, wrong.email, 'held_request_rejected')).toBe(1)

    expect(await desk.confirm(accountant.email, company.siren, 'cli:test', new Date())).toBe('admin')
    expect(await createMembershipQueries(database!.knex).find(accountant.id, company.siren)).toMatchObject({ role: 'admin', status: 'active' })
    expect(await queuedMails(database!.knex, accountant.email, 'held_request_confirmed')).toBe(1)
    expect(await count('audit_events', { type: 'company.held_request_confirmed', subject: company.siren, actor: 'cli:test' })).toBe(1)
    expect((await desk.pending()).some((request) => request.email === accountant.email && request.siren === company.siren)).toBe(false)
  })

  it('gives its points back to a right code, so the people of a company never spend its budget', async () => {
    const company = await createCompany(database!.knex, config(), 'Grande Entreprise')
    const staff = await Promise.all(Array.from({ length: PER_COMPANY_PER_DAY + 5 }, (_, index) => createUser(database!.knex, `Salarie${'abcdefghijklmnopqrstuvwxyz'[index]}`)))
    const outcomes = []
    for (const person of staff) outcomes.push((await rules.linkCompany(person, company, '192.0.2.20')).outcome)
    expect(outcomes[0]).toBe('admin')
    expect(outcomes.slice(1).every((outcome) => outcome === 'pending')).toBe(true)
  })
})
