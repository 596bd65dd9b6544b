import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import type Router from '@koa/router'
import { ICON_SVG } from '@opcommerce/shared/ui/icon'

// Found through the workspaces' packages, so that the sources and the bundle (idp/dist) find them alike.
const resolve = createRequire(import.meta.url).resolve

const ASSETS: Record<string, { file: string; type: string }> = {
  'theme.css': { file: resolve('@opcommerce/shared/theme.css'), type: 'text/css; charset=utf-8' },
  'password-helpers.js': { file: resolve('@opcommerce/idp/assets/password-helpers.js'), type: 'text/javascript; charset=utf-8' },
  'auto-submit.js': { file: resolve('@opcommerce/idp/assets/auto-submit.js'), type: 'text/javascript; charset=utf-8' },
  'passkeys.js': { file: resolve('@opcommerce/idp/assets/passkeys.js'), type: 'text/javascript; charset=utf-8' },
  // Served from the idp itself: the CSP allows same-origin scripts only.
  'simplewebauthn-browser.js': { file: path.join(path.dirname(resolve('@simplewebauthn/browser')), '../dist/bundle/index.umd.min.js'), type: 'text/javascript; charset=utf-8' },
}

/** The stylesheet shared with the portal the small scripts of our pages and the WebAuthn browser library, read once; the portal's logout page loads the stylesheet and auto-submit.js from here. */
export function assetRoutes(router: Router): void {
  const contents = new Map(Object.entries(ASSETS).map(([name, asset]) => [name, { ...asset, body: readFileSync(asset.file) }]))
  router.get('/favicon.ico', (ctx) => {
    ctx.type = 'image/svg+xml'
    ctx.set('Cache-Control', 'public, max-age=86400')
    ctx.body = ICON_SVG
  })
  router.get('/assets/:name', (ctx) => {
    const asset = contents.get(ctx.params.name!)
    if (!asset) return
    ctx.type = asset.type
    ctx.set('Cache-Control', 'public, max-age=3600')
    // The portal's logout page, on the same site, uses the stylesheet and auto-submit.js too (portal/src/handlers/auth.ts).
    ctx.set('Cross-Origin-Resource-Policy', 'same-site')
    ctx.body = asset.body
  })
}
