import { html, type SafeHtml } from '../html'

export interface PageOptions {
  title: string
  content: SafeHtml
  /** Scripts of the idp's assets to load: no page has an inline script. */
  scripts?: ('password-helpers' | 'auto-submit' | 'simplewebauthn-browser' | 'passkeys')[]
  /** Where the idp's assets are: `/assets` on the idp, its full URL from another service. */
  assets: string
}

/** The idp's pages, and the portal's logout page that hands over to it: same header, colours and typography as the portal. */
export function renderPage({ title, content, scripts = [], assets }: PageOptions): string {
  return html`<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Web Services Entreprise</title>
<link rel="stylesheet" href="${assets}/theme.css">
${scripts.map((script) => html`<script src="${assets}/${script}.js" defer></script>`)}
</head>
<body>
<a class="skip-link" href="#contenu">Aller au contenu</a>
<header class="site-header">
  <div class="site-header__inner">
    <span class="brand"><span class="brand__mark" aria-hidden="true">O</span><span class="brand__text">Opcommerce<small>Web Services Entreprise</small></span></span>
  </div>
</header>
<main id="contenu">
  <div class="container container--narrow">
${content}
  </div>
</main>
<footer class="site-footer">Opcommerce — Web Services Entreprise</footer>
</body>
</html>`.value
}
