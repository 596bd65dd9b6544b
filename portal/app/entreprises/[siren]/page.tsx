import type { Metadata } from 'next'
import Link from 'next/link'
import { PortalShell } from '@/components/PortalShell'
import { ToolTiles } from '@/components/ToolTiles'
import { fetchMembers, fetchTools, requireCompanyPage } from '@/lib/data'

export const metadata: Metadata = { title: "Accueil de l'entreprise" }

export default async function CompanyHome({ params }: { params: Promise<{ siren: string }> }) {
  const { siren } = await params
  const page = await requireCompanyPage(siren, `/entreprises/${siren}`)
  const { session, companies, company } = page
  const waiting = company.role === 'admin' ? (await fetchMembers(page)).filter((member) => member.status === 'pending').length : 0
  const tools = await fetchTools(page)
  return (
    <PortalShell session={session} companies={companies} current={company} section="home">
      <div className="alert alert--success" role="status">
        <p className="alert__title">Vous pouvez accéder au portail !</p>
        <p>
          Bienvenue {session.user.givenName}, vous êtes connecté au Web Services Entreprise de {company.name}.
        </p>
      </div>
      <div className="card">
        <h1>{company.name}</h1>
        <p className="muted">
          Siren {company.siren} · Votre rôle :{' '}
          <span className={`badge${company.role === 'admin' ? ' badge--admin' : ''}`}>{company.role === 'admin' ? 'Administrateur' : 'Utilisateur'}</span>
        </p>
        {company.role === 'admin' && (
          <p>
            {waiting > 0 ? (
              <>
                <strong>
                  {waiting} demande{waiting > 1 ? 's' : ''} d&apos;accès en attente.
                </strong>{' '}
              </>
            ) : null}
            <Link href={`/entreprises/${siren}/utilisateurs`}>Gérer les utilisateurs</Link>
          </p>
        )}
      </div>
      <section className="card" aria-labelledby="outils">
        <h2 id="outils">Liste des outils de l&apos;Opcommerce</h2>
        <p>Vous êtes déjà identifié : chaque outil s&apos;ouvre sans nouvelle saisie de votre mot de passe.</p>
        <ToolTiles tools={tools} />
      </section>
    </PortalShell>
  )
}
