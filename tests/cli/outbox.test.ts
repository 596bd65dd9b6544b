import { beforeAll, describe, expect, it } from '@jest/globals'
import { enqueueMail } from '@opcommerce/shared/mail/outbox'
import { OPERATOR_ACTOR, useCli } from '../support/cli'
import { startMailDelivery, mailsTo } from '../support/mail'
import { startSmtpCapture } from '../support/smtp'

/** A mail link's secret: it must never show in what operators read. */
const SECRET_LINK = 'http://localhost:4000/validation/secret-0123456789abcdefghijklmnopqrstuvwxyz'

describe('npm run cli -- outbox list|retry', () => {
  const cli = useCli()
  const db = () => cli.database.knex
  const ids: Record<'sent' | 'failed' | 'emptied' | 'waiting' | 'due', number> = { sent: 0, failed: 0, emptied: 0, waiting: 0, due: 0 }

  /** Queues a mail as the services do, then puts it in the state the test needs. */
  async function mail(to: string, state: Record<string, unknown>): Promise<number> {
    await enqueueMail(db(), to, 'verify_email', { link: SECRET_LINK })
    const [row] = await db()('mail_outbox').where({ to }).orderBy('id', 'desc').limit(1).select('id')
    if (Object.keys(state).length > 0) await db()('mail_outbox').where({ id: row.id }).update(state)
    return row.id
  }

  beforeAll(async () => {
    ids.sent = await mail('envoye@exemple.fr', { status: 'sent', attempts: 1, sent_at: db().fn.now(), data: '{}' })
    ids.failed = await mail('refuse@exemple.fr', { status: 'failed', attempts: 3, last_error: '550 Mailbox unavailable' })
    ids.emptied = await mail('efface@exemple.fr', { status: 'failed', attempts: 2, last_error: '550 No such user', data: '{}' })
    ids.waiting = await mail('attente@exemple.fr', { status: 'pending', attempts: 4, last_error: 'connect ECONNREFUSED 127.0.0.1:25', next_attempt_at: db().raw("now() + interval '1 hour'") })
    ids.due = await mail('prochain@exemple.fr', {})
  })

  it('lists the newest mails first, of one status or all, never with their links', async () => {
    const all = await cli.run(['outbox', 'list'])
    expect(all.code).toBe(0)
    const lines = all.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^id\s+état\s+essais\s+modèle\s+destinataire\s+créé le\s+prochain essai\s+dernière erreur$/u)
    expect(lines.slice(1).map((line) => Number(line.split(/\s+/u)[0]))).toEqual([ids.due, ids.waiting, ids.emptied, ids.failed, ids.sent])
    expect(all.stdout).toMatch(new RegExp(`^${ids.failed}\\s+abandonné\\s+3\\s+verify_email\\s+refuse@exemple\\.fr\\s+.+550 Mailbox unavailable$`, 'mu'))
    expect(all.stdout).toMatch(new RegExp(`^${ids.sent}\\s+envoyé\\s+1\\s+.+envoyé le `, 'mu'))
    expect(all.stdout).not.toContain('secret-0123456789')

    const failed = await cli.json<{ id: number; to: string; status: string; sendable: boolean; lastError: string }[]>(['outbox', 'list', '--status', 'failed'])
    expect(failed.map(({ id, status, sendable }) => ({ id, status, sendable }))).toEqual([
      { id: ids.emptied, status: 'failed', sendable: false },
      { id: ids.failed, status: 'failed', sendable: true },
    ])
    expect(JSON.stringify(failed)).not.toContain('secret-0123456789')
    expect(await cli.json(['outbox', 'list', '--limit', '2'])).toHaveLength(2)

    const wrongStatus = await cli.run(['outbox', 'list', '--status', 'lost'])
    expect(wrongStatus.code).toBe(1)
    expect(wrongStatus.stderr).toContain('--status attend pending, sending, sent, failed.')
  })

  it('sends a given-up mail again: the idp delivers it at its next round', async () => {
    const retried = await cli.run(['outbox', 'retry', '--id', String(ids.failed)])
    expect(retried).toMatchObject({ code: 0, stderr: '' })
    expect(retried.stdout.trim()).toBe(`1 mail(s) remis en envoi : ${ids.failed}. L'idp les envoie au prochain passage de l'envoi.`)
    expect(await db()('audit_events').where({ type: 'outbox.retried' }).first()).toMatchObject({ actor: OPERATOR_ACTOR, subject: String(ids.failed), details: { ids: [ids.failed] } })

    const smtp = await startSmtpCapture()
    const sender = startMailDelivery(db(), smtp)
    try {
      const delivered = await smtp.waitForMail((received) => JSON.stringify(received.to).includes('refuse@exemple.fr'))
      expect(delivered.text).toContain(SECRET_LINK)
      await smtp.waitForMail((received) => JSON.stringify(received.to).includes('prochain@exemple.fr'))
    } finally {
      await sender.stop()
      await smtp.close()
    }
    expect(mailsTo(smtp, 'attente@exemple.fr')).toEqual([]) // still waiting for its next attempt
    expect(mailsTo(smtp, 'efface@exemple.fr')).toEqual([])
    expect(await db()('mail_outbox').where({ id: ids.failed }).first()).toMatchObject({ status: 'sent' })
  })

  it('says why a mail cannot be sent again, and answers 3 for an unknown one', async () => {
    const sent = await cli.run(['outbox', 'retry', '--id', String(ids.sent)])
    expect(sent).toMatchObject({ code: 1, stderr: `Le mail ${ids.sent} est déjà envoyé.\n` })
    const emptied = await cli.run(['outbox', 'retry', '--id', String(ids.emptied)])
    expect(emptied.code).toBe(1)
    expect(emptied.stderr).toContain(`Le mail ${ids.emptied} ne peut plus être renvoyé : son contenu (et ses liens) a été effacé.`)
    const unknown = await cli.run(['outbox', 'retry', '--id', '999999'])
    expect(unknown).toMatchObject({ code: 3, stderr: "Aucun mail 999999 dans la file d'envoi.\n" })
    const neither = await cli.run(['outbox', 'retry'])
    expect(neither.code).toBe(1)
    expect(neither.stderr).toContain('Indiquez --id N ou --all.')
    expect(await db()('mail_outbox').where({ id: ids.emptied }).first()).toMatchObject({ status: 'failed' })
  })

  it('--all makes every mail waiting for its next attempt due now (an SMTP outage over)', async () => {
    const retried = await cli.json<{ retried: number[] }>(['outbox', 'retry', '--all'])
    expect(retried).toEqual({ retried: [ids.waiting] })
    const row = await db()('mail_outbox').where({ id: ids.waiting }).select('status', db().raw('next_attempt_at <= now() as due')).first()
    expect(row).toEqual({ status: 'pending', due: true })
    expect(await cli.json(['outbox', 'retry', '--all'])).toEqual({ retried: [] })
  })
})
