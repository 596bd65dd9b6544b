import type { HeldRequest } from '@opcommerce/shared/queries/held-requests'
import type { AccessRequest } from '@opcommerce/shared/queries/memberships'
import { formatDate, formatDay } from '@/lib/data'
import { ESCALATION_DELAY, REFUSAL_COOLDOWN } from '@/lib/memberships'
import { ActionForm, SubmitButton } from './ActionForm'

/**
 * The user's requests held for the Opcommerce's verification (a company under protection), then
 * their pending access requests, each with what it allows: "Relancer ma demande",
 * "Annuler ma demande", and "Contacter l'Opcommerce" once it has waited ESCALATION_DELAY; then
 * the refused ones, with the day a new request becomes possible.
 */
export function AccessRequests({ requests, held, csrf, now }: { requests: AccessRequest[]; held: HeldRequest[]; csrf: string; now: Date }) {
  const pending = requests.filter((request) => request.status === 'pending')
  const refused = requests.filter((request) => request.status === 'rejected')
  return (
    <>
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
            Tant que l&apos;accès n&apos;a pas été autorisé par l&apos;administrateur, la demande d&apos;activation reste en attente. Vous pouvez
            la relancer une fois par jour, et contacter l&apos;Opcommerce si elle attend depuis plus de 7 jours.
          </p>
          <ul className="list">
            {pending.map((request) => {
              const escalableFrom = new Date(request.requestedAt.getTime() + ESCALATION_DELAY)
              const api = `/api/entreprises/${request.siren}`
              return (
                <li key={request.siren}>
                  <p>
                    <strong>{request.companyName}</strong> <span className="muted">— Siren {request.siren}</span>
                    <br />
                    <span className="badge badge--pending">En attente</span>{' '}
                    <span className="muted">
                      demandée le {formatDate(request.requestedAt)}
                      {request.lastReminderAt && `, relancée le ${formatDate(request.lastReminderAt)}`}
                      {request.escalatedAt && `, transmise à l'Opcommerce le ${formatDate(request.escalatedAt)}`}
                    </span>
                  </p>
                  <div className="row-actions">
                    <ActionForm action={`${api}/relance`} csrf={csrf} label={`Relancer la demande pour ${request.companyName}`}>
                      <SubmitButton modifiers={['secondary', 'small']}>Relancer ma demande</SubmitButton>
                    </ActionForm>
                    {!request.escalatedAt && escalableFrom <= now && (
                      // flash: once sent, the button goes away with the page's refresh; its message stays on the page.
                      <ActionForm action={`${api}/escalade`} csrf={csrf} flash label={`Contacter l'Opcommerce pour ${request.companyName}`}>
                        <SubmitButton modifiers={['secondary', 'small']}>Contacter l&apos;Opcommerce</SubmitButton>
                      </ActionForm>
                    )}
                    <ActionForm
                      action={`${api}/annulation`}
                      csrf={csrf}
                      flash
                      label={`Annuler la demande pour ${request.companyName}`}
                      confirmation={`Annuler votre demande d'accès à ${request.companyName} ?`}
                    >
                      <SubmitButton modifiers={['danger', 'small']}>Annuler ma demande</SubmitButton>
                    </ActionForm>
                  </div>
                  {!request.escalatedAt && escalableFrom > now && (
                    <p className="muted">Sans réponse de l&apos;administrateur, vous pourrez contacter l&apos;Opcommerce à partir du {formatDay(escalableFrom)}.</p>
                  )}
                </li>
              )
            })}
          </ul>
        </>
      )}
      {refused.length > 0 && (
        <>
          <h3>Demandes refusées</h3>
          <ul className="list">
            {refused.map((request) => {
              const again = request.decidedAt && new Date(request.decidedAt.getTime() + REFUSAL_COOLDOWN)
              return (
                <li key={request.siren}>
                  <strong>{request.companyName}</strong> <span className="muted">— Siren {request.siren}</span> : demande refusée
                  {request.decidedAt && ` le ${formatDate(request.decidedAt)}`}.{request.decisionReason && <> Motif : « {request.decisionReason} »</>}
                  {again && again > now && <> Vous pourrez faire une nouvelle demande à partir du {formatDay(again)}.</>}
                </li>
              )
            })}
          </ul>
        </>
      )}
    </>
  )
}
