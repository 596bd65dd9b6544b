import { html, unsafeRaw } from '@opcommerce/shared/html'
import { renderPage } from './layout'

// Pages oidc-provider renders for GET /session/end (rpInitiatedLogout in oidc/provider.ts): no
// route file of ours answers that path.

/** oidc-provider's logout confirmation: `form` holds its hidden xsrf field. */
export function logoutPage(options: { form: string; automatic: boolean }): string {
  return renderPage({
    title: 'Se déconnecter',
    scripts: options.automatic ? ['auto-submit'] : [],
    content: html`<div class="card">
<h1>Se déconnecter</h1>
<p>${options.automatic ? 'Déconnexion de votre espace Web Services Entreprise en cours…' : 'Voulez-vous vous déconnecter de votre espace Web Services Entreprise ?'}</p>
${unsafeRaw(options.form)}
<div class="actions">
  <button class="button" type="submit" form="op.logoutForm" name="logout" value="yes"${options.automatic ? html` data-auto-submit` : ''}>Se déconnecter</button>
  <button class="button button--secondary" type="submit" form="op.logoutForm">Rester connecté</button>
</div>
</div>`,
  })
}

export function loggedOutPage(portalUrl: string): string {
  return renderPage({
    title: 'Déconnexion',
    content: html`<div class="card">
<h1>Vous êtes déconnecté</h1>
<p>Votre session Web Services Entreprise est fermée.</p>
<a class="button" href="${portalUrl}">Retour au portail</a>
</div>`,
  })
}
