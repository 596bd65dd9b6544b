import type { Metadata } from 'next'
import { forbidden } from 'next/navigation'
import { ActionForm, FlashArea, SubmitButton } from '@/components/ActionForm'
import { PortalShell } from '@/components/PortalShell'
import { companyPeople, requireCompanyViewer } from '@/lib/company-page'
import { formatDate } from '@/lib/pages'

export const metadata: Metadata = { title: 'Gérer les utilisateurs' }

export default async function ManageUsers({ params }: { params: Promise<{ siren: string }> }) {
  const { siren } = await params
  const viewer = await requireCompanyViewer(siren, `/entreprises/${siren}/utilisateurs`)
  const { session, companies, company } = viewer
  if (company.role !== 'admin') forbidden()
  const people = await companyPeople(viewer)
  const pending = people.filter((person) => person.status === 'pending')
  const members = people.filter((person) => person.status === 'active')
  const adminCount = members.filter((person) => person.role === 'admin').length
  const memberAction = (userId: string) => `/api/entreprises/${siren}/membres/${userId}`
  return (
    <PortalShell session={session} companies={companies} current={company} section="users">
      <h1>Gérer les utilisateurs</h1>
      <p className="lead">{company.name} — Siren {company.siren}</p>
      <FlashArea>
        <section className="card" aria-labelledby="demandes">
          <h2 id="demandes">Demandes d&apos;accès en attente</h2>
          {pending.length === 0 ? (
            <p className="muted">Aucune demande en attente.</p>
          ) : (
            <ul className="list">
              {pending.map((person) => {
                const name = `${person.givenName} ${person.familyName}`
                return (
                  <li key={person.userId}>
                    <p>
                      <strong>{name}</strong> <span className="muted">— {person.email}</span>
                      <br />
                      <span className="muted">Demande du {formatDate(person.requestedAt)}</span>
                    </p>
                    <div className="row-actions">
                      <ActionForm action={memberAction(person.userId)} csrf={session.csrf} flash label={`Autoriser l'accès de ${name}`}>
                        <input type="hidden" name="action" value="approve" />
                        <SubmitButton>Autoriser l&apos;accès</SubmitButton>
                      </ActionForm>
                      <ActionForm action={memberAction(person.userId)} csrf={session.csrf} flash label={`Refuser la demande de ${name}`}>
                        <input type="hidden" name="action" value="refuse" />
                        <div className="field inline-field">
                          <label htmlFor={`motif-${person.userId}`}>Motif du refus (facultatif)</label>
                          <input id={`motif-${person.userId}`} name="reason" type="text" maxLength={500} />
                        </div>
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
                {members.map((person) => {
                  const name = `${person.givenName} ${person.familyName}`
                  const isSelf = person.userId === session.userId
                  const lastAdmin = person.role === 'admin' && adminCount === 1
                  return (
                    <tr key={person.userId}>
                      <td data-label="Nom">
                        {name}
                        {isSelf && <span className="muted"> (vous)</span>}
                      </td>
                      <td data-label="Email">{person.email}</td>
                      <td data-label="Rôle">
                        <span className={`badge${person.role === 'admin' ? ' badge--admin' : ''}`}>
                          {person.role === 'admin' ? 'Administrateur' : 'Utilisateur'}
                        </span>
                      </td>
                      <td data-label="Actions">
                        {lastAdmin ? (
                          <span className="muted">Seul administrateur</span>
                        ) : (
                          <div className="row-actions">
                            <ActionForm
                              action={memberAction(person.userId)}
                              csrf={session.csrf}
                              flash
                              label={person.role === 'admin' ? `Retirer le rôle d'administrateur de ${name}` : `Nommer ${name} administrateur`}
                            >
                              <input type="hidden" name="action" value={person.role === 'admin' ? 'demote' : 'promote'} />
                              <SubmitButton modifiers={['secondary', 'small']}>
                                {person.role === 'admin' ? "Retirer le rôle d'administrateur" : 'Nommer administrateur'}
                              </SubmitButton>
                            </ActionForm>
                            <ActionForm
                              action={memberAction(person.userId)}
                              csrf={session.csrf}
                              flash
                              label={isSelf ? 'Quitter cette entreprise' : `Retirer l'accès de ${name}`}
                              confirmation={isSelf ? `Quitter ${company.name} ? Vous n'y aurez plus accès.` : `Retirer l'accès de ${name} à ${company.name} ?`}
                            >
                              <input type="hidden" name="action" value="remove" />
                              <SubmitButton modifiers={['danger', 'small']}>{isSelf ? 'Quitter cette entreprise' : "Retirer l'accès"}</SubmitButton>
                            </ActionForm>
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
      </FlashArea>
    </PortalShell>
  )
}
