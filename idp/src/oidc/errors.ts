import { errors, type ErrorOut } from 'oidc-provider'
import { messages } from '../messages'

/**
 * The French sentence of a page oidc-provider renders instead of going back to the application:
 * an unknown or disabled client, a redirect_uri it did not register, a malformed request, or an
 * authorization request this browser can no longer resume (its cookie or its interaction is
 * gone). What it can send back to the application (missing PKCE, unknown scope…) goes there in
 * the error parameters instead. Mapped by OAuth error code and error class, never by
 * oidc-provider's English error_description.
 */
export function describeOidcError(out: ErrorOut, error: Error): string {
  if (error instanceof errors.SessionNotFound) return messages.login.expired
  return messages.oidc[out.error] ?? messages.oidc.other
}
