import type { ErrorOut } from 'oidc-provider'

/**
 * The French sentence shown to a person when an authorization request cannot go back to the
 * application (unknown client, unregistered redirect_uri, missing PKCE…).
 */
export function describeOidcError(out: ErrorOut): string {
  const description = out.error_description ?? ''
  switch (out.error) {
    case 'invalid_client':
      return "Cette application n'est pas reconnue par le service d'authentification de l'Opcommerce."
    case 'invalid_redirect_uri':
      return "L'adresse de retour demandée par l'application n'est pas autorisée. Contactez l'équipe qui gère cette application."
    case 'invalid_scope':
      return "L'application demande des autorisations qui n'existent pas ou qui ne lui sont pas accordées."
    case 'unsupported_response_type':
    case 'unauthorized_client':
      return "Cette application n'est pas autorisée à se connecter de cette façon."
    case 'access_denied':
      return "L'accès à l'application a été refusé."
    case 'invalid_request':
      if (/PKCE/iu.test(description) || /code_challenge/iu.test(description)) {
        return "La demande de connexion de l'application est incomplète : la protection PKCE (S256) est obligatoire."
      }
      if (/interaction session|session not found|cookie/iu.test(description)) {
        return 'Votre demande de connexion a expiré. Veuillez recommencer depuis le portail.'
      }
      return "La demande de connexion envoyée par l'application est incorrecte."
    default:
      return "La demande de connexion envoyée par l'application n'a pas pu aboutir."
  }
}
