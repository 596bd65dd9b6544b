import Bowser from 'bowser'
import { formatDateTime } from '@opcommerce/shared/dates'
import type { FieldErrors } from '@opcommerce/shared/errors'
import { html, type SafeHtml } from '@opcommerce/shared/html'
import { PASSWORD_MAX_LENGTH } from '@opcommerce/shared/password-policy'
import type { User } from '@opcommerce/shared/queries/users'
import { fullName } from '@opcommerce/shared/users'
import type { SignedInAccount } from '../libraries/account-session'
import { messages } from '../messages'
import type { ActiveSession } from '../queries/session-activity'
import { alert, csrfField, field, passwordHelpers } from './forms'
import { renderPage } from './layout'
import { PASSWORD_HINT } from './registration'
import type { PageOptions } from '@opcommerce/shared/ui/page'

/** A section of « Mon compte »: a page under /compte, listed on its home page. */
export interface AccountSection {
  path: string
  title: string
  description: string
}

/** The sections of « Mon compte », in the order the home page lists them. */
export const ACCOUNT_SECTIONS: AccountSection[] = [
  { path: '/compte/identite', title: 'Identité', description: 'Votre prénom et votre nom, tels que les applications les affichent.' },
  { path: '/compte/mot-de-passe', title: 'Mot de passe', description: 'Changer votre mot de passe.' },
  { path: '/compte/adresse-email', title: 'Adresse email', description: 'Changer l’adresse avec laquelle vous vous connectez.' },
  { path: '/compte/double-authentification', title: 'Double authentification', description: 'Clés d’accès et application d’authentification : une deuxième preuve après le mot de passe.' },
  { path: '/compte/sessions', title: 'Sessions', description: 'Les navigateurs où vous êtes connecté, et vous y déconnecter.' },
  { path: '/compte/donnees', title: 'Mes données', description: 'Télécharger les données de votre compte.' },
  { path: '/compte/fermer', title: 'Fermer mon compte', description: 'Supprimer votre compte et vos données personnelles.' },
]

/**
 * A page of « Mon compte »: the idp's layout, a way back to the home of « Mon compte » and to
 * the portal, and the section's content (one or more `.card`s). `notice` is the outcome of the
 * last action (a success message).
 */
export function accountPage(options: { title: string; content: SafeHtml; portalUrl: string; notice?: string; scripts?: PageOptions['scripts'] }): string {
  return renderPage({
    title: `${options.title} · Mon compte`,
    scripts: options.scripts,
    content: html`<nav class="breadcrumb" aria-label="Fil d'Ariane"><a href="/compte">Mon compte</a> › <span aria-current="page">${options.title}</span></nav>
${options.notice ? alert('success', options.notice) : ''}
${options.content}
<p class="center"><a href="${options.portalUrl}">Retour au portail</a></p>`,
  })
}

/** The home page of « Mon compte »: who is signed in, and the sections. */
export function accountHomePage(options: { account: SignedInAccount; portalUrl: string; notice?: string }): string {
  const { user } = options.account
  return renderPage({
    title: 'Mon compte',
    content: html`<div class="card">
<h1>Mon compte</h1>
<p class="lead">${fullName(user)} · ${user.email}</p>
${options.notice ? alert('success', options.notice) : ''}
<ul class="list" aria-label="Rubriques de Mon compte">${ACCOUNT_SECTIONS.map(
      (section) => html`<li><a href="${section.path}"><strong>${section.title}</strong></a><br><span class="muted">${section.description}</span></li>`,
    )}</ul>
</div>
<p class="center"><a href="${options.portalUrl}">Retour au portail</a></p>`,
  })
}

/** What a refused form shows again: the message at the top, each problem under its field, what was typed (never a password). */
export interface FormState {
  formError?: string
  fieldErrors?: FieldErrors
  values?: Record<string, string>
}

/** The current password, asked again before a sensitive action. */
export const currentPasswordField = (errors?: string[]) =>
  field({ name: 'current_password', label: 'Mot de passe actuel', type: 'password', autocomplete: 'current-password', errors, maxLength: PASSWORD_MAX_LENGTH })

export function identityPage(options: { csrf: string; user: User; portalUrl: string; notice?: string } & FormState): string {
  const values = options.values ?? { given_name: options.user.givenName, family_name: options.user.familyName }
  const errors = options.fieldErrors ?? {}
  return accountPage({
    title: 'Identité',
    portalUrl: options.portalUrl,
    notice: options.notice,
    content: html`<div class="card">
<h1>Identité</h1>
<p>Votre prénom et votre nom tels que les applications les affichent. Elles les verront à leur prochaine mise à jour de votre connexion.</p>
${options.formError ? alert('error', options.formError) : ''}
<form method="post" action="/compte/identite" novalidate>
  ${csrfField(options.csrf)}
  <div class="field-row">
    ${field({ name: 'given_name', label: 'Prénom', autocomplete: 'given-name', value: values.given_name, errors: errors.given_name, maxLength: 100 })}
    ${field({ name: 'family_name', label: 'Nom', autocomplete: 'family-name', value: values.family_name, errors: errors.family_name, maxLength: 100 })}
  </div>
  <button class="button" type="submit">Enregistrer</button>
</form>
</div>`,
  })
}

export function passwordPage(options: { csrf: string; user: User; portalUrl: string; notice?: string } & FormState): string {
  const errors = options.fieldErrors ?? {}
  return accountPage({
    title: 'Mot de passe',
    portalUrl: options.portalUrl,
    notice: options.notice,
    scripts: ['password-helpers'],
    content: html`<div class="card">
<h1>Changer mon mot de passe</h1>
<p>Vos autres sessions seront fermées : il faudra vous y reconnecter avec le nouveau mot de passe. Celle-ci reste ouverte.</p>
${options.formError ? alert('error', options.formError) : ''}
<form method="post" action="/compte/mot-de-passe" novalidate>
  ${csrfField(options.csrf)}
  <input type="hidden" name="email" value="${options.user.email}" autocomplete="username">
  <input type="hidden" name="given_name" value="${options.user.givenName}">
  <input type="hidden" name="family_name" value="${options.user.familyName}">
  ${currentPasswordField(errors.current_password)}
  ${field({ name: 'password', label: 'Nouveau mot de passe', type: 'password', autocomplete: 'new-password', hint: PASSWORD_HINT, errors: errors.password, maxLength: PASSWORD_MAX_LENGTH, after: passwordHelpers() })}
  ${field({ name: 'password_confirmation', label: 'Confirmer le nouveau mot de passe', type: 'password', autocomplete: 'new-password', errors: errors.password_confirmation, maxLength: PASSWORD_MAX_LENGTH })}
  <button class="button" type="submit">Changer le mot de passe</button>
</form>
</div>`,
  })
}

/** "Chrome 131 · Linux", from a User-Agent header. */
function describeBrowser(userAgent: string | null): string {
  if (!userAgent) return 'Navigateur inconnu'
  const parsed = Bowser.parse(userAgent)
  const browser = [parsed.browser.name, parsed.browser.version?.split('.')[0]].filter(Boolean).join(' ')
  return [browser || 'Navigateur inconnu', parsed.os.name].filter(Boolean).join(' · ')
}

export function sessionsPage(options: { csrf: string; sessions: ActiveSession[]; currentUid: string; portalUrl: string; notice?: string; formError?: string }): string {
  return accountPage({
    title: 'Sessions',
    portalUrl: options.portalUrl,
    notice: options.notice,
    content: html`<div class="card">
<h1>Sessions</h1>
<p>Les navigateurs où vous êtes connecté. Si vous n'en reconnaissez pas un, déconnectez-le et changez votre mot de passe.</p>
${options.formError ? alert('error', options.formError) : ''}
<ul class="list" aria-label="Sessions ouvertes">${options.sessions.map(
      (session) => html`<li>
  <p><strong>${describeBrowser(session.userAgent)}</strong>${session.uid === options.currentUid ? html` <span class="badge">Cette session</span>` : ''}</p>
  <p class="muted">Adresse IP : ${session.ip ?? 'inconnue'}<br>Ouverte le ${formatDateTime(session.startedAt)}<br>Dernière activité le ${formatDateTime(session.lastSeenAt)}</p>
  ${
    session.uid === options.currentUid
      ? ''
      : html`<form method="post" action="/compte/sessions/fin">
    ${csrfField(options.csrf)}
    <input type="hidden" name="session" value="${session.uid}">
    <button class="button button--secondary button--small" type="submit">Déconnecter cette session</button>
  </form>`
  }
</li>`,
    )}</ul>
<hr class="divider">
<form method="post" action="/compte/sessions/partout">
  ${csrfField(options.csrf)}
  <button class="button button--danger" type="submit">Se déconnecter partout</button>
</form>
</div>`,
  })
}

export function loggedOutEverywherePage(portalUrl: string): string {
  return renderPage({
    title: 'Déconnecté partout',
    content: html`<div class="card">
<h1>Déconnecté partout</h1>
${alert('success', messages.account.loggedOutEverywhere)}
<p><a class="button" href="${portalUrl}">Retour au portail</a></p>
</div>`,
  })
}
