import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createInvitationQueries } from '@opcommerce/shared/queries/invitations'
import { createMembershipQueries } from '@opcommerce/shared/queries/memberships'
import { createTestDatabase, type TestDatabase } from '../../../tests/support/database'
import { testConfig } from '../../../tests/support/idp'
import { actorOf, CAST_ROLES, companyCast, createUser, formRequest, sessionCookie, testPortalContext, type CastRole, type CompanyCast } from '../../../tests/support/portal'
import { rowCounts } from '../../../tests/support/rows'
import { startSmtpCapture, type SmtpCapture } from '../../../tests/support/smtp'
import type { PortalContext } from '@/lib/context'
import { messages } from '@/lib/messages'
import { invitationActionHandler, inviteHandler, openInvitationHandler } from './invitations'

describe('invitation route handlers: who may invite, and where the link of the mail leads', () => {
  let database: TestDatabase | undefined
  let smtp: SmtpCapture | undefined
  let context: PortalContext
  let cast: CompanyCast

  const invite = async (role: CastRole, email: string) =>
    inviteHandler(context, await formRequest(context, actorOf(cast, role), `/api/entreprises/${cast.company.siren}/invitations`, { email, role: 'member' }), cast.company.siren)
  const onInvitation = async (role: CastRole, id: string, action: string) =>
    invitationActionHandler(context, await formRequest(context, actorOf(cast, role), `/api/entreprises/${cast.company.siren}/invitations/${id}`, { action }), cast.company.siren, id)
  const openInvitations = () => createInvitationQueries(database!.knex).openOf(cast.company.siren)

  /** An invitation of the company and the secret of its link, as the mail carries it. */
  async function invitationWithToken(email: string): Promise<{ id: string; token: string }> {
    await context.invitations.invite(cast.admin, cast.company.siren, { email, role: 'member' }, 'test')
    const [row] = await database!.knex('mail_outbox').where({ to: email, template: 'invitation' }).orderBy('id', 'desc').limit(1).select('data')
    const token = new URL((row.data as { link: string }).link).pathname.split('/').at(-1)!
    return { id: (await createInvitationQueries(database!.knex).findOpen(cast.company.siren, email))!.id, token }
  }

  const open = async (token: string, user?: Parameters<typeof sessionCookie>[1]) => {
    const session = user ? await sessionCookie(context, user) : undefined
    const response = await openInvitationHandler(context, new Request(`${context.config.portal.url}/invitation/${token}`, { headers: session ? { cookie: session.cookie } : {} }), token)
    return { status: response.status, location: response.headers.get('location') }
  }

  beforeAll(async () => {
    database = await createTestDatabase()
    smtp = await startSmtpCapture()
    context = testPortalContext(testConfig(database, smtp), database.knex)
    cast = await companyCast(database.knex, context, 'Société Invitante')
  })

  afterAll(async () => {
    await smtp?.close()
    await database?.close()
  })

  const EXPECTED: Record<CastRole, number> = { visitor: 401, pending: 403, refused: 403, member: 403, otherAdmin: 403, admin: 200 }

  it.each(CAST_ROLES)('"Inviter un collègue" as %s', async (role) => {
    const before = await rowCounts(database!.knex)
    const email = `invite.${role.toLowerCase()}@exemple.fr`
    const response = await invite(role, email)
    expect(response.status).toBe(EXPECTED[role])
    if (role === 'admin') {
      expect(await response.json()).toEqual({ message: messages.invitations.sent(email) })
      expect((await openInvitations()).map((invitation) => invitation.email)).toContain(email)
      return
    }
    expect(await rowCounts(database!.knex)).toEqual(before)
    expect((await openInvitations()).map((invitation) => invitation.email)).not.toContain(email)
  })

  it.each(CAST_ROLES)('"Renvoyer l\'invitation" and "Annuler l\'invitation" as %s', async (role) => {
    const { id } = await invitationWithToken(`relance.${role.toLowerCase()}@exemple.fr`)
    for (const action of ['resend', 'cancel']) {
      const response = await onInvitation(role, id, action)
      expect({ action, status: response.status }).toEqual({ action, status: EXPECTED[role] })
    }
    expect((await openInvitations()).some((invitation) => invitation.id === id)).toBe(role !== 'admin')
  })

  it('answers 404 for a malformed invitation id, 400 for an unknown action, 409 for an invitation no longer open', async () => {
    const { id } = await invitationWithToken('etats@exemple.fr')
    expect((await onInvitation('admin', 'pas-un-uuid', 'cancel')).status).toBe(404)
    expect((await onInvitation('admin', id, 'tout-supprimer')).status).toBe(400)
    expect((await onInvitation('admin', id, 'cancel')).status).toBe(200)
    const again = await onInvitation('admin', id, 'resend')
    expect(again.status).toBe(409)
    expect(await again.json()).toEqual({ message: messages.invitations.notOpen })
  })

  it('sends a visitor to log in when the address has a user, else to the idp\'s « Créer un compte »', async () => {
    const registered = await invitationWithToken(cast.otherAdmin.email)
    expect(await open(registered.token)).toEqual({ status: 303, location: `${context.config.portal.url}/auth/login?returnTo=${encodeURIComponent(`/invitation/${registered.token}`)}` })
    const newcomer = await invitationWithToken('jamais.vue@exemple.fr')
    expect(await open(newcomer.token)).toEqual({ status: 303, location: `${context.config.idp.issuer}/inscription?invitation=${newcomer.token}` })
  })

  it('activates the access of the invited user and opens the company home; refuses anyone else', async () => {
    const invitee = await createUser(database!.knex, 'Ines')
    const { token } = await invitationWithToken(invitee.email)
    expect(await open(token, cast.member)).toEqual({ status: 303, location: `${context.config.portal.url}/invitation?probleme=otherUser` })
    expect(await createMembershipQueries(database!.knex).find(cast.member.id, cast.otherCompany.siren)).toBeUndefined()
    expect(await open(token, invitee)).toEqual({ status: 303, location: `${context.config.portal.url}/entreprises/${cast.company.siren}` })
    expect(await createMembershipQueries(database!.knex).find(invitee.id, cast.company.siren)).toMatchObject({ status: 'active', role: 'member' })
    expect(await open(token, invitee)).toEqual({ status: 303, location: `${context.config.portal.url}/invitation?probleme=used` })
    expect(await open('nimporte-quoi')).toEqual({ status: 303, location: `${context.config.portal.url}/invitation?probleme=unknown` })
  })

  it('lets one of two simultaneous openings of the link activate the access, and tells the other it was used', async () => {
    const invitee = await createUser(database!.knex, 'Jules')
    const { token } = await invitationWithToken(invitee.email)
    const outcomes = await Promise.all([open(token, invitee), open(token, invitee)])
    expect(outcomes.map((outcome) => outcome.location).sort()).toEqual([
      `${context.config.portal.url}/entreprises/${cast.company.siren}`,
      `${context.config.portal.url}/invitation?probleme=used`,
    ])
    const [row] = await database!.knex('audit_events').where({ type: 'company.invitation_accepted', actor: invitee.id }).count({ count: '*' })
    expect(Number(row!.count)).toBe(1)
  })
})
