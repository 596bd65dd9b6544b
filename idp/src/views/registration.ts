import { html } from '@opcommerce/shared/html'
import { PASSWORD_MAX_LENGTH } from '@opcommerce/shared/password-policy'
import type { FieldErrors } from '@opcommerce/shared/errors'
import { messages } from '../messages'
import { alert, csrfField, field, passwordHelpers } from './forms'
import { renderPage } from './layout'

/** The guide's own words under the password field. */
const PASSWORD_HINT =
  'Votre mot de passe doit contenir minimum 8 caractères : majuscules, minuscules, chiffres et caractères spéciaux (!@#$%^&*()_[]:;<>?~| }.,/~-).'

/** What the person typed, shown again in a refused form (never the passwords). */
export interface RegisterValues {
  email: string
  email_confirmation: string
  given_name: string
  family_name: string
}

/** The invitation a registration comes from: its address is fixed, and proven. */
export interface RegisterInvitation {
  token: string
  email: string
  companyName: string
}

export function registerPage(options: {
  csrf: string
  interaction: string | undefined
  loginHref: string
  invitation?: RegisterInvitation
  values?: RegisterValues
  fieldErrors?: FieldErrors
  formError?: string
}): string {
  const { values, fieldErrors = {}, formError, invitation } = options
  const emailFields = invitation
    ? html`${field({ name: 'email', label: 'Email', type: 'email', autocomplete: 'email', value: invitation.email, readonly: true, hint: messages.invitation.emailProven })}
  <input type="hidden" name="invitation" value="${invitation.token}">`
    : html`<div class="field-row">
    ${field({ name: 'email', label: 'Email', type: 'email', autocomplete: 'email', value: values?.email, errors: fieldErrors.email, maxLength: 254 })}
    ${field({ name: 'email_confirmation', label: 'Confirmer votre Email', type: 'email', autocomplete: 'email', value: values?.email_confirmation, errors: fieldErrors.email_confirmation, maxLength: 254 })}
  </div>`
  return renderPage({
    title: 'Créer un compte',
    scripts: ['password-helpers'],
    content: html`<div class="card">
<h1>Créer un compte</h1>
${invitation ? alert('info', messages.invitation.intro(invitation.companyName)) : ''}
<p class="muted">Tous les champs sont obligatoires.</p>
${formError ? alert('error', formError) : ''}
<form method="post" action="/inscription" novalidate>
  ${csrfField(options.csrf)}
  ${options.interaction ? html`<input type="hidden" name="interaction" value="${options.interaction}">` : ''}
  ${emailFields}
  ${field({ name: 'password', label: 'Mot de passe', type: 'password', autocomplete: 'new-password', hint: PASSWORD_HINT, errors: fieldErrors.password, maxLength: PASSWORD_MAX_LENGTH, after: passwordHelpers() })}
  ${field({ name: 'password_confirmation', label: 'Confirmer le mot de passe', type: 'password', autocomplete: 'new-password', errors: fieldErrors.password_confirmation, maxLength: PASSWORD_MAX_LENGTH })}
  <div class="field-row">
    ${field({ name: 'given_name', label: 'Prénom', autocomplete: 'given-name', value: values?.given_name, errors: fieldErrors.given_name, maxLength: 100 })}
    ${field({ name: 'family_name', label: 'Nom', autocomplete: 'family-name', value: values?.family_name, errors: fieldErrors.family_name, maxLength: 100 })}
  </div>
  <button class="button button--block" type="submit">Créer le compte <span aria-hidden="true">→</span></button>
</form>
<hr class="divider">
<p class="center">Vous avez déjà un compte ? <a href="${options.loginHref}">Se connecter</a></p>
</div>`,
  })
}

export function validationSentPage(options: {
  csrf: string
  email: string
  loginHref: string
  notice?: { kind: 'success' | 'error'; text: string }
}): string {
  return renderPage({
    title: 'Validation de compte',
    content: html`<div class="card">
<h1>Validation de compte</h1>
${options.notice ? alert(options.notice.kind, options.notice.text) : ''}
<p>${messages.validation.sent} <strong>${options.email}</strong>.</p>
<p>${messages.validation.instructions}</p>
<p class="muted">${messages.validation.resendHelp}</p>
<div class="actions">
  <form method="post" action="/inscription/renvoyer">
    ${csrfField(options.csrf)}
    <button class="button button--secondary" type="submit">Renvoyer à nouveau l'email</button>
  </form>
  <a class="button" href="${options.loginHref}">Retour à la connexion</a>
</div>
</div>`,
  })
}

export function validatedPage(loginHref: string): string {
  return renderPage({
    title: 'Compte validé',
    content: html`<div class="card">
${alert('success', messages.validation.done)}
<p>${messages.validation.doneNext}</p>
<a class="button" href="${loginHref}">Se connecter</a>
</div>`,
  })
}

const dateFormat = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Paris' })

/**
 * A validation link opened in another browser than the one that registered (another device, a
 * mail scanner): nothing happens until a person presses the button, and the page says whose
 * request it is, so that someone who did not ask for it knows not to.
 */
export function confirmValidationPage(options: { csrf: string; token: string; email: string; name: string; requestedAt: Date }): string {
  return renderPage({
    title: 'Validation de compte',
    content: html`<div class="card">
<h1>Validation de compte</h1>
<p>${messages.validation.confirm(options.email)}</p>
<p class="muted">${messages.validation.confirmRequestedBy(options.name, dateFormat.format(options.requestedAt))}</p>
${alert('warning', messages.validation.confirmWarning)}
<form method="post" action="/validation/${options.token}">
  ${csrfField(options.csrf)}
  <button class="button button--block" type="submit">Valider la création de mon compte</button>
</form>
</div>`,
  })
}

export function validationLinkProblemPage(message: string, loginHref: string): string {
  return renderPage({
    title: 'Validation de compte',
    content: html`<div class="card">
<h1>Validation de compte</h1>
${alert('error', message)}
<a class="button" href="${loginHref}">Se connecter</a>
</div>`,
  })
}
