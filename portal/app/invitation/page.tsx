import type { Metadata } from 'next'
import Link from 'next/link'
import { PublicShell } from '@/components/PortalShell'
import { messages } from '@/lib/messages'

export const metadata: Metadata = { title: 'Invitation' }

type Problem = keyof typeof messages.invitations.link

/** Where the link of an invitation mail that cannot be used explains why (GET /invitation/:token sends here). */
export default async function InvitationProblem({ searchParams }: { searchParams: Promise<{ probleme?: string }> }) {
  const { probleme } = await searchParams
  const problem: Problem = probleme && probleme in messages.invitations.link ? (probleme as Problem) : 'unknown'
  return (
    <PublicShell>
      <div className="card">
        <h1>Invitation</h1>
        <div className="alert alert--error" role="alert">
          <p>{messages.invitations.link[problem]}</p>
        </div>
        <Link className="button" href="/">
          Retour à l&apos;accueil
        </Link>
      </div>
    </PublicShell>
  )
}
