import type { FieldErrors } from '@opcommerce/shared/errors'
import { formatDateTime, formatDay } from '@opcommerce/shared/dates'
import { html } from '@opcommerce/shared/html'
import type { Passkey, SecondFactors } from '@opcommerce/shared/queries/second-factors'
import type { TotpEnrolment } from '../libraries/totp'
import { accountPage } from './account'
import { alert, csrfField, field } from './forms'
import { PASSKEY_SCRIPTS, passkeyButton, totpInstructions } from './second-factor'

const BASE = '/compte/double-authentification'

const passwordField = (errors?: string[]) =>
  field({ name: 'current_password', label: 'Mot de passe actuel', type: 'password', autocomplete: 'current-password', maxLength: 1024, errors })

/** « Double authentification » in « Mon compte »: the app, the passkeys, the recovery codes left. */
export function twoFactorPage(options: {
  csrf: string
  portalUrl: string
  factors: SecondFactors
  passkeys: Passkey[]
  notice?: string
  error?: string
  fieldErrors?: FieldErrors
}): string {
  const { csrf, factors, passkeys } = options
  return accountPage({
    title: 'Double authentification',
    portalUrl: options.portalUrl,
    notice: options.notice,
    scripts: PASSKEY_SCRIPTS,
    content: html`<div class="card">
<h1>Double authentification</h1>
<p class="lead">Après votre mot de passe, une deuxième preuve est demandée : une clé d'accès ou le code d'une application d'authentification. Une clé d'accès permet aussi de se connecter sans mot de passe.</p>
${options.error ? alert('error', options.error) : ''}
</div>
<section class="card" aria-labelledby="cles">
<h2 id="cles">Clés d'accès</h2>
${
  passkeys.length === 0
    ? html`<p>Aucune clé d'accès.</p>`
    : html`<ul class="list" data-passkeys>${passkeys.map(
        (passkey) => html`<li data-passkey="${passkey.id}">
  <strong>${passkey.name}</strong><br>
  <span class="muted">Ajoutée le ${formatDay(passkey.createdAt)}${passkey.lastUsedAt ? ` · dernière utilisation le ${formatDateTime(passkey.lastUsedAt)}` : ''}</span>
  <details>
  <summary>Renommer ou supprimer « ${passkey.name} »</summary>
  <form method="post" action="${BASE}/cles/${passkey.id}/renommer" class="inline-form">
    ${csrfField(csrf)}
    ${field({ name: 'name', label: `Nouveau nom de « ${passkey.name} »`, value: passkey.name, maxLength: 60 })}
    <button class="button button--secondary button--small" type="submit">Renommer</button>
  </form>
  <form method="post" action="${BASE}/cles/${passkey.id}/supprimer" class="inline-form">
    ${csrfField(csrf)}
    ${field({ name: 'current_password', label: `Mot de passe actuel, pour supprimer « ${passkey.name} »`, type: 'password', autocomplete: 'current-password', maxLength: 1024 })}
    <button class="button button--secondary button--small" type="submit">Supprimer</button>
  </form>
  </details>
</li>`,
      )}</ul>`
}
${passkeyButton({ action: `${BASE}/cles`, options: `${BASE}/cles/options`, csrf, label: "Ajouter une clé d'accès", name: true })}
<noscript><p>L'ajout d'une clé d'accès nécessite JavaScript.</p></noscript>
</section>
<section class="card" aria-labelledby="application">
<h2 id="application">Application d'authentification</h2>
${
  factors.totp
    ? html`<p>Activée.</p>
<form method="post" action="${BASE}/application/desactiver" novalidate>
  ${csrfField(csrf)}
  ${passwordField(options.fieldErrors?.current_password)}
  ${field({ name: 'code', label: 'Code à 6 chiffres', hint: "Le code affiché en ce moment par votre application d'authentification.", autocomplete: 'one-time-code', maxLength: 10, errors: options.fieldErrors?.code })}
  <button class="button button--secondary" type="submit">Désactiver l'application</button>
</form>`
    : html`<p>Non configurée.</p><p><a class="button" href="${BASE}/application">Configurer une application d'authentification</a></p>`
}
</section>
<section class="card" aria-labelledby="recuperation">
<h2 id="recuperation">Codes de récupération</h2>
<p>${factors.recoveryCodesLeft > 0 ? `Il vous reste ${factors.recoveryCodesLeft} code${factors.recoveryCodesLeft > 1 ? 's' : ''} de récupération.` : 'Aucun code de récupération.'} Ils remplacent une fois chacun une clé ou une application perdue.</p>
</section>`,
  })
}

/** Configuring an authenticator app from « Mon compte ». */
export function totpEnrolmentPage(options: { csrf: string; portalUrl: string; enrolment: TotpEnrolment; error?: string }): string {
  return accountPage({
    title: "Application d'authentification",
    portalUrl: options.portalUrl,
    content: html`<div class="card">
<h1>Configurer une application d'authentification</h1>
${options.error ? alert('error', options.error) : ''}
${totpInstructions(options.enrolment)}
<form method="post" action="${BASE}/application" novalidate>
  ${csrfField(options.csrf)}
  ${field({ name: 'code', label: 'Code à 6 chiffres', autocomplete: 'one-time-code', maxLength: 10, autofocus: true })}
  <button class="button button--block" type="submit">Activer</button>
</form>
<p class="center"><a href="${BASE}">Annuler</a></p>
</div>`,
  })
}
