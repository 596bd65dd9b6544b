/**
 * The demo tool `npm start` registers: a minimal relying party that shows who single sign-on
 * brought in and their `companies` claim. Third-party initiated login: the portal's launcher
 * links to /login, which starts the authorization request. Back-channel logout: the idp posts a
 * logout token to /backchannel-logout when the SSO session ends, and the visit ends with it.
 */
import '@opcommerce/shared/node-version'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import * as oidc from 'openid-client'
import { loadConfig } from '@opcommerce/shared/config'
import { html, type SafeHtml } from '@opcommerce/shared/html'
import { InvalidLogoutTokenError, verifyLogoutToken } from '@opcommerce/shared/logout-token'
import { closeServer, listen, onShutdown, runMain } from '@opcommerce/shared/process'

interface Visit {
  pending?: { state: string; nonce: string; verifier: string }
  claims?: oidc.IDToken
  idToken?: string
}

const COOKIE = 'demo_tool_visit'
const theme = readFileSync(new URL('../../shared/src/ui/theme.css', import.meta.url))

/** A small form body (a logout token is about 1 kB). */
async function readBody(request: IncomingMessage, limit = 16_384): Promise<string> {
  let body = ''
  for await (const chunk of request) {
    body += String(chunk)
    if (body.length > limit) throw new InvalidLogoutTokenError('body too large')
  }
  return body
}

function page(title: string, content: SafeHtml): string {
  return html`<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Outil de démonstration</title><link rel="stylesheet" href="/theme.css"></head>
<body><header class="site-header"><div class="site-header__inner"><span class="brand"><span class="brand__mark" aria-hidden="true">O</span><span class="brand__text">Outil de démonstration<small>Opcommerce</small></span></span></div></header>
<main id="contenu"><div class="container container--narrow">${content}</div></main></body></html>`.value
}

runMain(async () => {
  const config = loadConfig()
  const base = config.demoTool.url
  const visits = new Map<string, Visit>()
  let discovered: Promise<oidc.Configuration> | undefined
  const idp = () =>
    (discovered ??= oidc.discovery(new URL(config.idp.issuer), 'demo-tool', config.secrets.demoToolClientSecret, undefined, {
      execute: config.idp.issuer.startsWith('http:') ? [oidc.allowInsecureRequests] : [],
    }).catch((error: unknown) => {
      discovered = undefined
      throw error
    }))

  /** This browser's visit; one is created only when it starts a login. */
  function visitOf(request: IncomingMessage, response: ServerResponse, create: boolean): Visit {
    const id = /(?:^|;\s*)demo_tool_visit=([\w-]+)/u.exec(request.headers.cookie ?? '')?.[1]
    if (id && visits.has(id)) return visits.get(id)!
    if (!create) return {}
    const fresh = randomBytes(16).toString('base64url')
    visits.set(fresh, {})
    response.setHeader('Set-Cookie', `${COOKIE}=${fresh}; HttpOnly; SameSite=Lax; Path=/`)
    return visits.get(fresh)!
  }

  /** Back-Channel Logout 1.0 §2.6–2.7: checks the token, refuses a replay, ends the visits of the session it names. */
  const seenLogoutTokens = new Map<string, number>() // jti → when it expires (epoch milliseconds)
  async function backchannelLogout(form: URLSearchParams): Promise<void> {
    const { jti, sid, sub, expiresAt } = await verifyLogoutToken(form.get('logout_token') ?? '', {
      issuer: config.idp.issuer,
      clientId: 'demo-tool',
      jwksUri: (await idp()).serverMetadata().jwks_uri!,
    })
    for (const [seen, until] of seenLogoutTokens) if (until < Date.now()) seenLogoutTokens.delete(seen)
    if (seenLogoutTokens.has(jti)) throw new InvalidLogoutTokenError('logout token already used')
    seenLogoutTokens.set(jti, expiresAt.getTime())
    for (const visit of visits.values()) {
      if (visit.claims && (sid ? visit.claims.sid === sid : visit.claims.sub === sub)) Object.assign(visit, { claims: undefined, idToken: undefined })
    }
  }

  const send = (response: ServerResponse, status: number, body: string | Buffer, type = 'text/html; charset=utf-8') => {
    response.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' })
    response.end(body)
  }
  const redirect = (response: ServerResponse, location: string) => {
    response.writeHead(303, { Location: location })
    response.end()
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? '/', base)
    if (url.pathname === '/theme.css') return send(response, 200, theme, 'text/css; charset=utf-8')
    if (url.pathname === '/backchannel-logout' && request.method === 'POST') {
      try {
        await backchannelLogout(new URLSearchParams(await readBody(request)))
        return send(response, 200, '', 'text/plain')
      } catch (error) {
        if (!(error instanceof InvalidLogoutTokenError)) throw error
        return send(response, 400, JSON.stringify({ error: 'invalid_request', error_description: error.message }), 'application/json')
      }
    }
    const visit = visitOf(request, response, url.pathname === '/login')
    if (url.pathname === '/login') {
      const verifier = oidc.randomPKCECodeVerifier()
      visit.pending = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier }
      const target = oidc.buildAuthorizationUrl(await idp(), {
        redirect_uri: `${base}/callback`,
        scope: 'openid profile email companies',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state: visit.pending.state,
        nonce: visit.pending.nonce,
      })
      return redirect(response, target.toString())
    }
    if (url.pathname === '/callback' && visit.pending) {
      const tokens = await oidc.authorizationCodeGrant(await idp(), url, {
        pkceCodeVerifier: visit.pending.verifier,
        expectedState: visit.pending.state,
        expectedNonce: visit.pending.nonce,
      })
      Object.assign(visit, { pending: undefined, claims: tokens.claims(), idToken: tokens.id_token })
      return redirect(response, '/')
    }
    if (url.pathname === '/logout' && request.method === 'POST' && visit.idToken) {
      const idToken = visit.idToken
      Object.assign(visit, { claims: undefined, idToken: undefined })
      // On to the idp, which ends the SSO session: the ID token goes in a form, never in a URL.
      return send(response, 200, page('Déconnexion', html`<div class="card"><h1>Se déconnecter</h1>
<form id="idp-logout" method="post" action="${(await idp()).serverMetadata().end_session_endpoint!}">
<input type="hidden" name="id_token_hint" value="${idToken}"><input type="hidden" name="post_logout_redirect_uri" value="${base}/">
<button class="button" type="submit">Se déconnecter</button></form></div>
<script>document.getElementById('idp-logout').submit()</script>`))
    }
    if (url.pathname !== '/') return send(response, 404, page('Page introuvable', html`<h1>Page introuvable</h1>`))
    if (!visit.claims) {
      return send(response, 200, page('Accueil', html`<div class="card"><h1>Outil de démonstration</h1>
<p>Vous n'êtes pas connecté à cet outil.</p><a class="button" href="/login">Se connecter</a></div>`))
    }
    const companies = (visit.claims.companies ?? []) as { siren: string; name: string; role: string }[]
    return send(response, 200, page('Connecté', html`<div class="card">
<h1>Outil de démonstration</h1>
<p>Connecté en tant que <strong>${String(visit.claims.name)}</strong> (${String(visit.claims.email)}), sans nouvelle saisie de mot de passe.</p>
<h2>Entreprises transmises (claim « companies »)</h2>
${companies.length === 0 ? html`<p class="muted">Aucune entreprise.</p>` : html`<div class="table-wrap" role="region" aria-labelledby="entreprises-tableau" tabindex="0"><table><caption class="visually-hidden" id="entreprises-tableau">Entreprises</caption>
<thead><tr><th scope="col">Siren</th><th scope="col">Entreprise</th><th scope="col">Rôle</th></tr></thead>
<tbody>${companies.map((company) => html`<tr><td>${company.siren}</td><td>${company.name}</td><td>${company.role === 'admin' ? 'Administrateur' : 'Utilisateur'}</td></tr>`)}</tbody></table></div>`}
<form method="post" action="/logout"><button class="button button--secondary" type="submit">Se déconnecter</button></form>
</div>`))
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      console.error(error)
      send(response, 500, page('Erreur', html`<h1>Erreur</h1><p>La connexion n'a pas pu aboutir. <a href="/login">Réessayer</a></p>`))
    })
  })
  await listen(server, config.demoTool.port, 'DEMO_TOOL_PORT')
  onShutdown(() => closeServer(server), { timeoutMs: config.shutdown.timeoutMs })
})
