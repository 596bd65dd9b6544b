import Link from 'next/link'
import { PublicShell } from '@/components/PortalShell'

export default function NotFound() {
  return (
    <PublicShell>
      <div className="card">
        <h1>Page introuvable</h1>
        <p>La page demandée n&apos;existe pas, ou vous n&apos;y avez pas accès.</p>
        <Link className="button" href="/">
          Retour à l&apos;accueil
        </Link>
      </div>
    </PublicShell>
  )
}
