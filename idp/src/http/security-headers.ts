import helmet from 'koa-helmet'
import type { Middleware } from 'koa'

/**
 * A strict Content-Security-Policy: scripts and styles from our origin only, no inline script
 * (oidc-provider adds the hash of its own form_post script itself). No form-action directive:
 * browsers apply it to the redirects that follow a login or logout form, which leave our origin.
 */
export function securityHeaders(https: boolean): Middleware {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
  }) as Middleware
}
