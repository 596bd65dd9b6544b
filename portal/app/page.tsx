import { redirect } from 'next/navigation'
import { PublicShell } from '@/components/PortalShell'
import { messages } from '@/lib/messages'
import { currentSession } from '@/lib/data'

export default async function Landing({ searchParams }: { searchParams: Promise<{ erreur?: string }> }) {
  const { context, session } = await currentSession()
  if (session) redirect(await context.memberships.landingPath(session.user.id))
  const { erreur } = await searchParams
  return (
    <PublicShell>
      <div className="card hero">
        <h1>Web Services Entreprise</h1>
        <p className="lead">L&apos;espace en ligne des entreprises adhérentes de l&apos;Opcommerce.</p>
        {erreur === 'connexion' && (
          <div className="alert alert--error" role="alert">
            <p>{messages.session.loginFailed}</p>
          </div>
        )}
        <h2>Vous avez déjà un identifiant à l&apos;Opcommerce ?</h2>
        <a className="button" href="/auth/login">
          <span aria-hidden="true">→</span> Se connecter aux Web Services
        </a>
        <hr className="divider" />
        <h2>Pas encore d&apos;identifiant ?</h2>
        <p>Créez votre compte en quelques minutes, puis ajoutez-y votre entreprise avec son Siren et son code adhérent.</p>
        <a className="button button--secondary" href={`${context.config.idp.issuer}/inscription`}>
          Créer un compte
        </a>
      </div>
    </PublicShell>
  )
}
