import { html, unsafeRaw, type SafeHtml } from '@opcommerce/shared/html'
import type { SecondFactors } from '@opcommerce/shared/queries/second-factors'
import { messages } from '../messages'
import type { TotpEnrolment } from '../libraries/totp'
import { alert, csrfField, field } from './forms'
import { renderPage } from './layout'

/** The six-digit code field of an authenticator app (a one-time code for browsers and password managers). */
const totpField = (errors?: string[]) =>
  field({ name: 'code', label: 'Code à 6 chiffres', hint: "Le code affiché en ce moment par votre application d'authentification.", autocomplete: 'one-time-code', maxLength: 10, errors, autofocus: true })

/** After the password: the person's second factor, or a recovery code. */
export function secondFactorPage(options: { uid: string; csrf: string; factors: SecondFactors; recovery: boolean; error?: string }): string {
  const { uid, csrf, factors } = options
  const action = (path: string) => `/interaction/${uid}/second-factor/${path}`
  const content = options.recovery
    ? html`<p class="lead">Saisissez l'un des codes de récupération que vous avez notés en configurant la double authentification. Chaque code ne sert qu'une fois.</p>
${options.error ? alert('error', options.error) : ''}
<form method="post" action="${action('recovery-code')}" novalidate>
  ${csrfField(csrf)}
  ${field({ name: 'code', label: 'Code de récupération', hint: 'Par exemple abcd-efgh-jkmn-pqrs.', autocomplete: 'off', maxLength: 64, autofocus: true })}
  <button class="button button--block" type="submit">Valider</button>
</form>
<p class="center"><a href="/interaction/${uid}/second-factor">Retour</a></p>`
    : html`<p class="lead">Votre compte est protégé par une double authentification : confirmez votre identité.</p>
${options.error ? alert('error', options.error) : ''}
${factors.passkeys > 0 ? passkeyButton({ action: action('passkey'), options: `/interaction/${uid}/passkey-options`, csrf, label: "Utiliser ma clé d'accès" }) : ''}
${
  factors.totp
    ? html`<form method="post" action="${action('totp')}" novalidate>
  ${csrfField(csrf)}
  ${totpField()}
  <button class="button button--block" type="submit">Vérifier</button>
</form>`
    : ''
}
<hr class="divider">
<p class="center"><a href="/interaction/${uid}/second-factor?recuperation=1">Utiliser un code de récupération</a></p>`
  return renderPage({ title: 'Double authentification', scripts: factors.passkeys > 0 ? PASSKEY_SCRIPTS : [], content: html`<div class="card"><h1>Double authentification</h1>${content}</div>` })
}

/** The scripts of a page with a passkey button: the WebAuthn browser library, then ours. */
export const PASSKEY_SCRIPTS: ('simplewebauthn-browser' | 'passkeys')[] = ['simplewebauthn-browser', 'passkeys']

/**
 * A button that runs a WebAuthn ceremony (passkeys.js): it fetches its options, asks the
 * browser, and posts the answer in the hidden field of its form.
 */
export function passkeyButton(options: { action: string; options: string; csrf: string; label: string; secondary?: boolean; name?: boolean }): SafeHtml {
  return html`<form method="post" action="${options.action}" data-passkey-form data-options="${options.options}" hidden>
  ${csrfField(options.csrf)}
  <input type="hidden" name="response">
  ${options.name ? field({ name: 'name', label: 'Nom de la clé', hint: 'Pour la reconnaître, par exemple « Ordinateur du bureau ».', maxLength: 60, required: false }) : ''}
  <p class="field-error" data-passkey-error role="alert" hidden>${messages.twoFactor.passkeyFailed}</p>
  <button class="button button--block${options.secondary ? ' button--secondary' : ''}" type="submit">${options.label}</button>
</form>`
}

/** During a login: why a second factor is asked for, and its configuration with an authenticator app. */
export function enrolmentPage(options: {
  uid: string
  csrf: string
  enrolment: TotpEnrolment
  companies: string[]
  requiredByApplication: boolean
  error?: string
}): string {
  const { uid, csrf } = options
  const why = options.requiredByApplication ? messages.twoFactor.requiredByApplication : messages.twoFactor.required(options.companies.join(', '))
  return renderPage({
    title: 'Configurer la double authentification',
    content: html`<div class="card">
<h1>Configurer la double authentification</h1>
${alert('info', why)}
${options.error ? alert('error', options.error) : ''}
${totpInstructions(options.enrolment)}
<form method="post" action="/interaction/${uid}/enrolment/totp" novalidate>
  ${csrfField(csrf)}
  ${totpField()}
  <button class="button button--block" type="submit">Activer</button>
</form>
<form method="post" action="/interaction/${uid}/enrolment/later">
  ${csrfField(csrf)}
  <button class="button button--block button--secondary" type="submit">${options.requiredByApplication ? 'Annuler' : 'Plus tard'}</button>
</form>
</div>`,
  })
}

/** Scan the QR code, or type the secret: the two ways an app learns it. */
export function totpInstructions(enrolment: TotpEnrolment): SafeHtml {
  return html`<ol>
  <li>Installez une application d'authentification sur votre téléphone (par exemple FreeOTP, Google Authenticator ou Microsoft Authenticator).</li>
  <li>Scannez ce QR code avec l'application :
    <div class="qr-code" role="img" aria-label="QR code de configuration de l'application d'authentification">${unsafeRaw(enrolment.qrCodeSvg)}</div>
    ou saisissez cette clé : <code class="secret" data-secret>${enrolment.secret.match(/.{1,4}/gu)!.join(' ')}</code></li>
  <li>Saisissez le code à 6 chiffres que l'application affiche.</li>
</ol>`
}

/** Shown once, right after the first code: the ten recovery codes. */
export function recoveryCodesPage(options: { codes: string[]; next: { action: string; csrf: string } | { href: string } }): string {
  const { next } = options
  return renderPage({
    title: 'Vos codes de récupération',
    content: html`<div class="card">
<h1>Vos codes de récupération</h1>
${alert('success', 'La double authentification est activée.')}
<p>Si vous perdez votre téléphone, chacun de ces codes remplace une fois le code de l'application. Notez-les ou imprimez-les maintenant et gardez-les en lieu sûr : <strong>ils ne seront plus affichés</strong>.</p>
<ul class="recovery-codes" data-recovery-codes>${options.codes.map((code) => html`<li><code>${code}</code></li>`)}</ul>
${
  'href' in next
    ? html`<p><a class="button button--block" href="${next.href}">J'ai noté mes codes</a></p>`
    : html`<form method="post" action="${next.action}">
  ${csrfField(next.csrf)}
  <button class="button button--block" type="submit">J'ai noté mes codes, continuer</button>
</form>`
}
</div>`,
  })
}
