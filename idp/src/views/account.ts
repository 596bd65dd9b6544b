import { html, type SafeHtml } from '@opcommerce/shared/html'
import { fullName } from '@opcommerce/shared/users'
import type { SignedInAccount } from '../libraries/account-session'
import { alert } from './forms'
import { renderPage } from './layout'
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
