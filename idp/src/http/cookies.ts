/**
 * The names and attributes of the idp's own cookies. Over https their names carry the `__Host-`
 * prefix: the browser then only accepts them secure, for the whole host and from this host
 * (no Domain), so neither a sibling subdomain nor a plain-http page can plant or overwrite one.
 * The development setup is plain http on localhost, where the prefix cannot be used.
 */
export interface IdpCookies {
  csrf: string
  pending: string
  device: string
  options: { httpOnly: true; sameSite: 'lax'; secure: boolean; path: '/'; signed: true; overwrite: true }
}

export function idpCookies(https: boolean): IdpCookies {
  const name = (base: string) => (https ? `__Host-${base}` : base)
  return {
    csrf: name('idp_csrf'),
    pending: name('idp_pending'),
    device: name('idp_device'),
    options: { httpOnly: true, sameSite: 'lax', secure: https, path: '/', signed: true, overwrite: true },
  }
}
