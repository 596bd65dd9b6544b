import type { Metadata } from 'next'
import { ActionForm, SubmitButton, TextField } from '@/components/ActionForm'
import { PortalShell } from '@/components/PortalShell'
import { fetchAccessRequests, fetchHeldRequests, formatDate, requireSignedIn } from '@/lib/data'

export const metadata: Metadata = { title: 'Ajouter une entreprise' }

export default async function AddCompany() {
  const page = await requireSignedIn('/entreprises/ajouter')
  const requests = await fetchAccessRequests(page)
  const held = await fetchHeldRequests(page)
  const pending = requests.filter((request) => request.status === 'pending')
  const refused = requests.filter((request) => request.status === 'rejected')
  const { session, companies } = page
  return (
    <PortalShell session={session} companies={companies} section="add">
      <div className="card">
        <h1>Ajouter une entreprise</h1>
        {companies.length === 0 && (
          <div className="alert alert--info">
            <p>Vous n&apos;avez pas encore d&apos;accès activé à une entreprise.</p>
          </div>
        )}
        <p>Renseignez le Siren et le code adhérent de l&apos;entreprise puis cliquez sur « Ajouter cette entreprise ».</p>
        <ActionForm action="/api/entreprises" csrf={session.csrf} resetOnSuccess label="Ajouter une entreprise">
          <div className="field-row">
            <TextField name="siren" label="Siren" hint="9 chiffres, par exemple 732 829 320" inputMode="numeric" maxLength={20} />
            <TextField name="code" label="Code adhérent" hint="Indiqué sur vos documents de l'Opcommerce" maxLength={64} />
          </div>
          <SubmitButton>Ajouter cette entreprise</SubmitButton>
        </ActionForm>
      </div>

      <section className="card" aria-labelledby="demandes">
        <h2 id="demandes">Demandes d&apos;accès en attente</h2>
        {held.length > 0 && (
          <ul className="list">
            {held.map((request) => (
              <li key={request.siren}>
                <p>
                  <strong>Siren {request.siren}</strong>
                  <br />
                  <span className="badge badge--pending">En attente de vérification par l&apos;Opcommerce</span>{' '}
                  <span className="muted">demandée le {formatDate(request.createdAt)}</span>
                </p>
              </li>
            ))}
          </ul>
        )}
        {pending.length === 0 ? (
          held.length === 0 && <p className="muted">Aucune demande en attente.</p>
        ) : (
          <>
            <p>
              Tant que l&apos;accès n&apos;a pas été autorisé par l&apos;administrateur, la demande d&apos;activation reste en attente. Vous
              pouvez la relancer une fois par jour.
            </p>
            <ul className="list">
              {pending.map((request) => (
                <li key={request.siren}>
                  <p>
                    <strong>{request.companyName}</strong> <span className="muted">— Siren {request.siren}</span>
                    <br />
                    <span className="badge badge--pending">En attente</span>{' '}
                    <span className="muted">
                      demandée le {formatDate(request.requestedAt)}
                      {request.lastReminderAt && `, relancée le ${formatDate(request.lastReminderAt)}`}
                    </span>
                  </p>
                  <ActionForm action={`/api/entreprises/${request.siren}/relance`} csrf={session.csrf} label={`Relancer la demande pour ${request.companyName}`}>
                    <SubmitButton modifiers={['secondary', 'small']}>Relancer ma demande</SubmitButton>
                  </ActionForm>
                </li>
              ))}
            </ul>
          </>
        )}
        {refused.length > 0 && (
          <>
            <h3>Demandes refusées</h3>
            <ul className="list">
              {refused.map((request) => (
                <li key={request.siren}>
                  <strong>{request.companyName}</strong> <span className="muted">— Siren {request.siren}</span> : demande refusée
                  {request.decidedAt && ` le ${formatDate(request.decidedAt)}`}.
                  {request.decisionReason && <> Motif : « {request.decisionReason} »</>}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
    </PortalShell>
  )
}
