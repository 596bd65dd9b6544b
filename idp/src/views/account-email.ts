import { formatDateTime } from '@opcommerce/shared/dates'
import { html } from '@opcommerce/shared/html'
import type { User } from '@opcommerce/shared/queries/users'
import { messages } from '../messages'
import type { EmailChange } from '../queries/email-changes'
import { accountPage, currentPasswordField, type FormState } from './account'
import { alert, csrfField, field } from './forms'
import { renderPage } from './layout'

export function emailPage(options: { csrf: string; user: User; pending: EmailChange | undefined; portalUrl: string; notice?: string } & FormState): string {
  const errors = options.fieldErrors ?? {}
  return accountPage({
    title: 'Adresse email',
    portalUrl: options.portalUrl,
    notice: options.notice,
    content: html`<div class="card">
<h1>Changer mon adresse email</h1>
<p>Adresse actuelle : <strong>${options.user.email}</strong></p>
${options.pending && !options.notice ? alert('info', messages.account.emailChangePending(options.pending.newEmail, formatDateTime(options.pending.expiresAt))) : ''}
<p>Un lien de validation sera envoyé à la nouvelle adresse ; votre adresse actuelle restera celle de votre compte jusqu'à ce qu'il soit utilisé, et recevra un message pour annuler le changement si vous n'en êtes pas à l'origine.</p>
${options.formError ? alert('error', options.formError) : ''}
<form method="post" action="/compte/adresse-email" novalidate>
  ${csrfField(options.csrf)}
  ${field({ name: 'email', label: 'Nouvelle adresse email', type: 'email', autocomplete: 'email', value: options.values?.email, errors: errors.email, maxLength: 254 })}
  ${currentPasswordField(errors.current_password)}
  <button class="button" type="submit">Recevoir le lien de validation</button>
</form>
</div>`,
  })
}

/**
 * The page a link of an email change opens: nothing happens until the person presses the button
 * (mail scanners open links too).
 */
export function emailLinkPage(options: { csrf: string; action: string; kind: 'validate' | 'cancel'; change: EmailChange }): string {
  const validate = options.kind === 'validate'
  const title = validate ? 'Valider ma nouvelle adresse email' : "Annuler le changement d'adresse email"
  return renderPage({
    title,
    content: html`<div class="card">
<h1>${title}</h1>
<p>${
      validate
        ? html`L'adresse <strong>${options.change.newEmail}</strong> deviendra celle de votre compte Web services, à la place de ${options.change.oldEmail}.`
        : html`Le compte Web services de <strong>${options.change.oldEmail}</strong> garderait cette adresse au lieu de ${options.change.newEmail}.`
    }</p>
<form method="post" action="${options.action}">
  ${csrfField(options.csrf)}
  <button class="button button--block" type="submit">${validate ? 'Valider ma nouvelle adresse' : 'Annuler le changement'}</button>
</form>
</div>`,
  })
}

/** What a link of an email change did, or why it cannot be used. */
export function emailLinkOutcomePage(options: { kind: 'success' | 'error'; message: string; portalUrl: string; loginHref?: string }): string {
  return renderPage({
    title: 'Adresse email',
    content: html`<div class="card">
<h1>Adresse email</h1>
${alert(options.kind, options.message)}
${options.loginHref ? html`<p><a class="button" href="${options.loginHref}">Choisir un nouveau mot de passe</a></p>` : ''}
<p><a href="${options.portalUrl}">Retour au portail</a></p>
</div>`,
  })
}
