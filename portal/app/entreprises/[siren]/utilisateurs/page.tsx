import type { Metadata } from 'next'
import { ActionForm, SubmitButton, TextField } from '@/components/ActionForm'
import { DomainsSection } from '@/components/DomainsSection'
import { InvitationsSection } from '@/components/InvitationsSection'
import { LeaveCompanyForm } from '@/components/LeaveCompanyForm'
import { PortalShell } from '@/components/PortalShell'
import { fullName } from '@opcommerce/shared/users'
import { TwoFactorSection } from '@/components/TwoFactorSection'
import { fetchDomains, fetchInvitations, fetchMembers, fetchTwoFactorRequirement, formatDate, requireCompanyAdminPage } from '@/lib/data'

export const metadata: Metadata = { title: 'Gérer les utilisateurs' }

export default async function ManageUsers({ params }: { params: Promise<{ siren: string }> }) {
  const { siren } = await params
  const page = await requireCompanyAdminPage(siren, `/entreprises/${siren}/utilisateurs`)
  const { context, session, companies, company, flash } = page
  const [members, invitations, domains, twoFactor] = await Promise.all([fetchMembers(page), fetchInvitations(page), fetchDomains(page), fetchTwoFactorRequirement(page)])
  const pending = members.filter((member) => member.status === 'pending')
  const active = members.filter((member) => member.status === 'active')
  const adminCount = active.filter((member) => member.role === 'admin').length
  const memberAction = (userId: string) => `/api/entreprises/${siren}/membres/${userId}`
  return (
    <PortalShell session={session} companies={companies} current={company} section="users" flash={flash}>
      <h1>Gérer les utilisateurs</h1>
      <p className="lead">{company.name} — Siren {company.siren}</p>
      <section className="card" aria-labelledby="demandes">
        <h2 id="demandes">Demandes d&apos;accès en attente</h2>
        {pending.length === 0 ? (
          <p className="muted">Aucune demande en attente.</p>
        ) : (
          <ul className="list">
            {pending.map((member) => {
              const name = fullName(member.user)
              return (
                <li key={member.userId}>
                  <p>
                    <strong>{name}</strong> <span className="muted">— {member.user.email}</span>
                    <br />
                    <span className="muted">Demande du {formatDate(member.requestedAt)}</span>
                  </p>
                  <div className="row-actions">
                    <ActionForm action={memberAction(member.userId)} csrf={session.csrf} flash label={`Autoriser l'accès de ${name}`}>
                      <input type="hidden" name="action" value="approve" />
                      <SubmitButton>Autoriser l&apos;accès</SubmitButton>
                    </ActionForm>
                    <ActionForm action={memberAction(member.userId)} csrf={session.csrf} flash label={`Refuser la demande de ${name}`}>
                      <input type="hidden" name="action" value="refuse" />
                      <TextField id={`motif-${member.userId}`} name="reason" label="Motif du refus (facultatif)" maxLength={500} required={false} inline />
                      <SubmitButton modifiers={['danger']}>Refuser</SubmitButton>
                    </ActionForm>
                  </div>
                </li>
              )
            })}
          </ul>
        )}
      </section>

      <section className="card" aria-labelledby="membres">
        <h2 id="membres">Utilisateurs ayant accès</h2>
        {/* Scrolls sideways on narrow screens: focusable, so the keyboard can scroll it too. */}
        <div className="table-wrap" role="region" aria-labelledby="membres-tableau" tabIndex={0}>
          <table className="stacked-table">
            <caption className="visually-hidden" id="membres-tableau">
              Utilisateurs de {company.name}
            </caption>
            <thead>
              <tr>
                <th scope="col">Nom</th>
                <th scope="col">Email</th>
                <th scope="col">Rôle</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {active.map((member) => {
                const name = fullName(member.user)
                const isSelf = member.userId === session.user.id
                const lastAdmin = member.role === 'admin' && adminCount === 1
                return (
                  <tr key={member.userId}>
                    <td data-label="Nom">
                      {name}
                      {isSelf && <span className="muted"> (vous)</span>}
                    </td>
                    <td data-label="Email">{member.user.email}</td>
                    <td data-label="Rôle">
                      <span className={`badge${member.role === 'admin' ? ' badge--admin' : ''}`}>
                        {member.role === 'admin' ? 'Administrateur' : 'Utilisateur'}
                      </span>
                    </td>
                    <td data-label="Actions">
                      {lastAdmin ? (
                        <span className="muted">Seul administrateur</span>
                      ) : (
                        <div className="row-actions">
                          <ActionForm
                            action={memberAction(member.userId)}
                            csrf={session.csrf}
                            flash
                            label={member.role === 'admin' ? `Retirer le rôle d'administrateur de ${name}` : `Nommer ${name} administrateur`}
                          >
                            <input type="hidden" name="action" value={member.role === 'admin' ? 'demote' : 'promote'} />
                            <SubmitButton modifiers={['secondary', 'small']}>
                              {member.role === 'admin' ? "Retirer le rôle d'administrateur" : 'Nommer administrateur'}
                            </SubmitButton>
                          </ActionForm>
                          {isSelf ? (
                            <LeaveCompanyForm siren={siren} companyName={company.name} userId={member.userId} csrf={session.csrf} flash />
                          ) : (
                            <ActionForm
                              action={memberAction(member.userId)}
                              csrf={session.csrf}
                              flash
                              label={`Retirer l'accès de ${name}`}
                              confirmation={`Retirer l'accès de ${name} à ${company.name} ?`}
                            >
                              <input type="hidden" name="action" value="remove" />
                              <SubmitButton modifiers={['danger', 'small']}>Retirer l&apos;accès</SubmitButton>
                            </ActionForm>
                          )}
                        </div>
                      )}
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      </section>

      <InvitationsSection siren={company.siren} invitations={invitations} csrf={session.csrf} now={context.now()} />
      <DomainsSection siren={company.siren} domains={domains} adminEmail={session.user.email} csrf={session.csrf} />
      <TwoFactorSection siren={company.siren} required={twoFactor.required} membersWithout={twoFactor.membersWithout} csrf={session.csrf} />
    </PortalShell>
  )
}
