import Link from 'next/link'
import { PublicShell } from '@/components/PortalShell'
import { messages } from '@/lib/messages'

export default function Forbidden() {
  return (
    <PublicShell>
      <div className="card">
        <h1>Accès refusé</h1>
        <p>{messages.members.forbidden}</p>
        <Link className="button" href="/">
          Retour à l&apos;accueil
        </Link>
      </div>
    </PublicShell>
  )
}
