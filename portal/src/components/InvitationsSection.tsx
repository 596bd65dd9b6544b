import type { ListedInvitation } from '@opcommerce/shared/queries/invitations'
import { formatDate, formatDay } from '@/lib/data'
import { ActionForm, ChoiceField, SubmitButton, TextField } from './ActionForm'

const ROLE_OPTIONS = [
  { value: 'member', label: 'Utilisateur' },
  { value: 'admin', label: 'Administrateur' },
]

/**
 * « Inviter un collègue » of "Gérer les utilisateurs": the form, then the invitations not yet
 * accepted, each with "Renvoyer l'invitation" and "Annuler l'invitation".
 */
export function InvitationsSection({ siren, invitations, csrf, now }: { siren: string; invitations: ListedInvitation[]; csrf: string; now: Date }) {
  const api = `/api/entreprises/${siren}/invitations`
  return (
    <section className="card" aria-labelledby="invitations">
      <h2 id="invitations">Inviter un collègue</h2>
      <p>
        La personne reçoit un email : en suivant son lien, elle crée son compte avec cette adresse ou se connecte, et son accès est activé aussitôt,
        sans demande à valider. Le lien est valable 7 jours.
      </p>
      <ActionForm action={api} csrf={csrf} resetOnSuccess flash label="Inviter un collègue">
        <TextField name="email" label="Email de la personne à inviter" type="email" inputMode="email" autoComplete="off" maxLength={254} />
        <ChoiceField name="role" legend="Rôle" options={ROLE_OPTIONS} defaultValue="member" />
        <SubmitButton>Envoyer l&apos;invitation</SubmitButton>
      </ActionForm>
      <h3>Invitations en attente</h3>
      {invitations.length === 0 ? (
        <p className="muted">Aucune invitation en attente.</p>
      ) : (
        <ul className="list">
          {invitations.map((invitation) => {
            const expired = invitation.expiresAt <= now
            return (
              <li key={invitation.id}>
                <p>
                  <strong>{invitation.email}</strong> <span className="muted">— {invitation.role === 'admin' ? 'Administrateur' : 'Utilisateur'}</span>
                  <br />
                  <span className="muted">
                    Envoyée le {formatDate(invitation.sentAt)}
                    {invitation.inviterName && ` par ${invitation.inviterName}`}
                    {expired ? ' — ' : `, valable jusqu'au ${formatDay(invitation.expiresAt)}`}
                  </span>
                  {expired && <span className="badge badge--pending">Expirée</span>}
                </p>
                <div className="row-actions">
                  <ActionForm action={`${api}/${invitation.id}`} csrf={csrf} flash label={`Renvoyer l'invitation de ${invitation.email}`}>
                    <input type="hidden" name="action" value="resend" />
                    <SubmitButton modifiers={['secondary', 'small']}>Renvoyer l&apos;invitation</SubmitButton>
                  </ActionForm>
                  <ActionForm
                    action={`${api}/${invitation.id}`}
                    csrf={csrf}
                    flash
                    label={`Annuler l'invitation de ${invitation.email}`}
                    confirmation={`Annuler l'invitation de ${invitation.email} ? Son lien ne fonctionnera plus.`}
                  >
                    <input type="hidden" name="action" value="cancel" />
                    <SubmitButton modifiers={['danger', 'small']}>Annuler l&apos;invitation</SubmitButton>
                  </ActionForm>
                </div>
              </li>
            )
          })}
        </ul>
      )}
    </section>
  )
}
