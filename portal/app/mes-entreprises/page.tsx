import type { Metadata } from 'next'
import Link from 'next/link'
import { AccessRequests } from '@/components/AccessRequests'
import { LeaveCompanyForm } from '@/components/LeaveCompanyForm'
import { PortalShell } from '@/components/PortalShell'
import { fetchAccessRequests, fetchHeldRequests, requireSignedIn } from '@/lib/data'

export const metadata: Metadata = { title: 'Mes entreprises' }

/** Every company of the user: active ones with their role, pending and refused requests, and what each allows. */
export default async function MyCompanies() {
  const page = await requireSignedIn('/mes-entreprises')
  const { context, session, companies, flash } = page
  const [requests, held] = await Promise.all([fetchAccessRequests(page), fetchHeldRequests(page)])
  return (
    <PortalShell session={session} companies={companies} section="mine" flash={flash}>
      <h1>Mes entreprises</h1>
      <section className="card" aria-labelledby="actives">
        <h2 id="actives">Entreprises auxquelles vous avez accès</h2>
        {companies.length === 0 ? (
          <p className="muted">Vous n&apos;avez pas encore d&apos;accès activé à une entreprise.</p>
        ) : (
          <div className="table-wrap" role="region" aria-labelledby="actives-tableau" tabIndex={0}>
            <table className="stacked-table">
              <caption className="visually-hidden" id="actives-tableau">
                Entreprises auxquelles vous avez accès
              </caption>
              <thead>
                <tr>
                  <th scope="col">Entreprise</th>
                  <th scope="col">Siren</th>
                  <th scope="col">Rôle</th>
                  <th scope="col">Statut</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {companies.map((company) => (
                  <tr key={company.siren}>
                    <td data-label="Entreprise">
                      <Link href={`/entreprises/${company.siren}`}>{company.name}</Link>
                    </td>
                    <td data-label="Siren">{company.siren}</td>
                    <td data-label="Rôle">
                      <span className={`badge${company.role === 'admin' ? ' badge--admin' : ''}`}>{company.role === 'admin' ? 'Administrateur' : 'Utilisateur'}</span>
                    </td>
                    <td data-label="Statut">Accès activé</td>
                    <td data-label="Actions">
                      <div className="row-actions">
                        {company.role === 'admin' && (
                          <Link className="button button--secondary button--small" href={`/entreprises/${company.siren}/utilisateurs`}>
                            Gérer les utilisateurs
                          </Link>
                        )}
                        <LeaveCompanyForm siren={company.siren} companyName={company.name} userId={session.user.id} csrf={session.csrf} flash />
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="demandes">
        <h2 id="demandes">Demandes d&apos;accès en attente</h2>
        <AccessRequests requests={requests} held={held} csrf={session.csrf} now={context.now()} />
      </section>
    </PortalShell>
  )
}
