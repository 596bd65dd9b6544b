import { html } from '@opcommerce/shared/html'
import { PASSWORD_MAX_LENGTH } from '@opcommerce/shared/password-policy'
import type { FieldErrors } from '@opcommerce/shared/errors'
import { messages } from '../messages'
import { alert, csrfField, field, passwordHelpers } from './forms'
import { renderPage } from './layout'

export function forgotPasswordPage(options: {
  csrf: string
  interaction: string | undefined
  loginHref: string
  email?: string
  fieldErrors?: FieldErrors
  formError?: string
  requested?: boolean
}): string {
  return renderPage({
    title: 'Mot de passe oublié',
    content: html`<div class="card">
<h1>Mot de passe oublié ?</h1>
${
  options.requested
    ? html`${alert('success', messages.reset.requested)}<a class="button" href="${options.loginHref}">Retour à la connexion</a>`
    : html`<p>Saisissez l'email de votre compte : nous vous enverrons un lien pour choisir un nouveau mot de passe.</p>
${options.formError ? alert('error', options.formError) : ''}
<form method="post" action="/mot-de-passe-oublie" novalidate>
  ${csrfField(options.csrf)}
  ${options.interaction ? html`<input type="hidden" name="interaction" value="${options.interaction}">` : ''}
  ${field({ name: 'email', label: 'Email', type: 'email', autocomplete: 'email', value: options.email, errors: options.fieldErrors?.email, maxLength: 254, autofocus: true })}
  <div class="actions actions--split">
    <button class="button" type="submit">Recevoir le lien</button>
    <a href="${options.loginHref}">Retour à la connexion</a>
  </div>
</form>`
}
</div>`,
  })
}

export function resetPasswordPage(options: { csrf: string; token: string; fieldErrors?: FieldErrors; formError?: string }): string {
  const fieldErrors = options.fieldErrors ?? {}
  return renderPage({
    title: 'Nouveau mot de passe',
    scripts: ['password-helpers'],
    content: html`<div class="card">
<h1>Choisir un nouveau mot de passe</h1>
${options.formError ? alert('error', options.formError) : ''}
<form method="post" action="/mot-de-passe/${options.token}" novalidate>
  ${csrfField(options.csrf)}
  ${field({ name: 'password', label: 'Nouveau mot de passe', type: 'password', autocomplete: 'new-password', errors: fieldErrors.password, maxLength: PASSWORD_MAX_LENGTH, after: passwordHelpers(), autofocus: true })}
  ${field({ name: 'password_confirmation', label: 'Confirmer le mot de passe', type: 'password', autocomplete: 'new-password', errors: fieldErrors.password_confirmation, maxLength: PASSWORD_MAX_LENGTH })}
  <button class="button button--block" type="submit">Enregistrer le mot de passe</button>
</form>
</div>`,
  })
}

export function resetLinkProblemPage(message: string): string {
  return renderPage({
    title: 'Mot de passe oublié',
    content: html`<div class="card">
<h1>Réinitialisation du mot de passe</h1>
${alert('error', message)}
<a class="button" href="/mot-de-passe-oublie">Faire une nouvelle demande</a>
</div>`,
  })
}

export function passwordChangedPage(loginHref: string): string {
  return renderPage({
    title: 'Mot de passe modifié',
    content: html`<div class="card">
${alert('success', messages.reset.done)}
<a class="button" href="${loginHref}">Se connecter</a>
</div>`,
  })
}
