import { html } from '@opcommerce/shared/html'
import { messages } from '../messages'
import { accountPage, currentPasswordField, type FormState } from './account'
import { alert, csrfField } from './forms'
import { renderPage } from './layout'

export function personalDataPage(options: { portalUrl: string }): string {
  return accountPage({
    title: 'Mes données',
    portalUrl: options.portalUrl,
    content: html`<div class="card">
<h1>Mes données</h1>
<p>Téléchargez dans un fichier JSON les données que le Web Services Entreprise conserve sur vous : votre compte, vos accès aux entreprises et vos demandes, vos sessions ouvertes et l'historique des actions qui vous concernent.</p>
<p><a class="button" href="/compte/donnees/telecharger" download>Télécharger mes données</a></p>
</div>`,
  })
}

export function closingPage(options: { csrf: string; portalUrl: string } & FormState): string {
  return accountPage({
    title: 'Fermer mon compte',
    portalUrl: options.portalUrl,
    content: html`<div class="card">
<h1>Fermer mon compte</h1>
<p>La fermeture est définitive : vos accès aux entreprises et vos demandes en cours seront supprimés, toutes vos sessions fermées et vos données personnelles effacées. L'historique de sécurité garde les actions passées sous un identifiant anonyme.</p>
<p>Si vous êtes le seul administrateur d'une entreprise qui a d'autres utilisateurs, nommez d'abord un autre administrateur dans « Gérer les utilisateurs » du portail.</p>
${options.formError ? alert('error', options.formError) : ''}
<form method="post" action="/compte/fermer" novalidate>
  ${csrfField(options.csrf)}
  ${currentPasswordField(options.fieldErrors?.current_password)}
  <button class="button button--danger" type="submit">Fermer définitivement mon compte</button>
</form>
</div>`,
  })
}

export function closedPage(portalUrl: string): string {
  return renderPage({
    title: 'Compte fermé',
    content: html`<div class="card">
<h1>Compte fermé</h1>
${alert('success', messages.account.closed)}
<p><a href="${portalUrl}">Retour au portail</a></p>
</div>`,
  })
}
