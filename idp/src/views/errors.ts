import { html } from '@opcommerce/shared/html'
import { alert } from './forms'
import { renderPage } from './layout'

const TITLES: Record<number, string> = {
  400: 'Demande incorrecte',
  401: 'Connexion requise',
  403: 'Action refusée',
  404: 'Page introuvable',
  413: 'Demande trop volumineuse',
  414: 'Demande trop volumineuse',
  429: 'Trop de tentatives',
  503: 'Service momentanément indisponible',
}

export function errorPage(options: { status: number; message: string; homeHref: string; requestId?: string }): string {
  const title = TITLES[options.status] ?? (options.status >= 500 ? 'Erreur du service' : 'Demande incorrecte')
  return renderPage({
    title,
    content: html`<div class="card">
<h1>${title}</h1>
${alert('error', options.message)}
${options.requestId ? html`<p class="muted">Référence de l'incident : ${options.requestId}</p>` : ''}
<a class="button" href="${options.homeHref}">Retour au portail</a>
</div>`,
  })
}
