import { readFileSync } from 'node:fs'
import type Router from '@koa/router'
import { ICON_SVG } from '@opcommerce/shared/ui/icon'

const ASSETS: Record<string, { file: URL; type: string }> = {
  'theme.css': { file: new URL('../../../shared/src/ui/theme.css', import.meta.url), type: 'text/css; charset=utf-8' },
  'password-helpers.js': { file: new URL('../../assets/password-helpers.js', import.meta.url), type: 'text/javascript; charset=utf-8' },
  'auto-submit.js': { file: new URL('../../assets/auto-submit.js', import.meta.url), type: 'text/javascript; charset=utf-8' },
}

/** The stylesheet shared with the portal and the two small scripts of our pages, read once; the portal's logout page loads the stylesheet and auto-submit.js from here. */
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
