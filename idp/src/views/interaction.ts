import type { FieldErrors } from '@opcommerce/shared/errors'
import { html } from '@opcommerce/shared/html'
import { PASSWORD_MAX_LENGTH } from '@opcommerce/shared/password-policy'
import { messages } from '../messages'
import { alert, csrfField, field } from './forms'
import { renderPage } from './layout'
import { PASSKEY_SCRIPTS, passkeyButton } from './second-factor'

export function loginPage(options: {
  uid: string
  csrf: string
  clientName: string | undefined
  email?: string
  error?: string
  fieldErrors?: FieldErrors
  /** The password was right but the user still waits for the validation of their address. */
  unvalidated?: boolean
}): string {
  const { uid } = options
  return renderPage({
    title: 'Connexion',
    scripts: PASSKEY_SCRIPTS,
    content: html`<div class="card">
<h1>Connexion</h1>
<p class="lead">${options.clientName ? `Identifiez-vous pour accéder à ${options.clientName}.` : 'Identifiez-vous pour accéder à votre espace Web Services Entreprise.'}</p>
${options.error ? alert('error', options.error) : ''}
${
  options.unvalidated
    ? html`<div class="alert alert--warning" role="alert">
  <p>${messages.login.unvalidated}</p>
  <form method="post" action="/inscription/renvoyer">
    ${csrfField(options.csrf)}
    <button class="button button--secondary button--small" type="submit">Renvoyer à nouveau l'email</button>
  </form>
</div>`
    : ''
}
<form method="post" action="/interaction/${uid}/login" novalidate>
  ${csrfField(options.csrf)}
  ${field({ name: 'email', label: 'Email', type: 'email', autocomplete: 'username', value: options.email, errors: options.fieldErrors?.email, maxLength: 254, autofocus: !options.email })}
  ${field({ name: 'password', label: 'Mot de passe', type: 'password', autocomplete: 'current-password', errors: options.fieldErrors?.password, maxLength: PASSWORD_MAX_LENGTH, autofocus: Boolean(options.email) })}
  <p><a href="/mot-de-passe-oublie?interaction=${uid}">Mot de passe oublié ?</a></p>
  <button class="button button--block" type="submit">Se connecter</button>
</form>
${passkeyButton({ action: `/interaction/${uid}/passkey`, options: `/interaction/${uid}/passkey-options`, csrf: options.csrf, label: "Se connecter avec une clé d'accès", secondary: true })}
<hr class="divider">
<p class="center">Pas encore de compte ? <a href="/inscription?interaction=${uid}">Créer un compte</a></p>
</div>`,
  })
}

const SCOPE_DESCRIPTIONS: Record<string, string> = {
  profile: 'votre prénom et votre nom',
  email: 'votre adresse email',
  companies: 'les entreprises auxquelles vous avez accès (Siren, nom et rôle)',
  offline_access: "rester connectée à votre compte lorsque vous n'utilisez pas l'application",
}

export function consentPage(options: { uid: string; csrf: string; clientName: string; scopes: string[] }): string {
  const described = options.scopes.flatMap((scope) => (SCOPE_DESCRIPTIONS[scope] ? [SCOPE_DESCRIPTIONS[scope]] : []))
  return renderPage({
    title: "Autoriser l'accès",
    content: html`<div class="card">
<h1>Autoriser l'accès</h1>
<p>L'application <strong>${options.clientName}</strong> demande à accéder à :</p>
<ul>${(described.length ? described : ['votre identifiant Web Services Entreprise']).map((line) => html`<li>${line}</li>`)}</ul>
<div class="actions">
  <form method="post" action="/interaction/${options.uid}/consent">
    ${csrfField(options.csrf)}
    <button class="button" type="submit">Autoriser</button>
  </form>
  <form method="post" action="/interaction/${options.uid}/abort">
    ${csrfField(options.csrf)}
    <button class="button button--secondary" type="submit">Refuser</button>
  </form>
</div>
</div>`,
  })
}
