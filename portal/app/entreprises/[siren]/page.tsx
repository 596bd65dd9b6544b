import type { Metadata } from 'next'
import Link from 'next/link'
import { LeaveCompanyForm } from '@/components/LeaveCompanyForm'
import { PortalShell } from '@/components/PortalShell'
import { ToolTiles } from '@/components/ToolTiles'
import { fetchMembers, fetchTools, fetchWithheldCompany, requireCompanyPage, takeWelcome } from '@/lib/data'

export const metadata: Metadata = { title: "Accueil de l'entreprise" }

export default async function CompanyHome({ params }: { params: Promise<{ siren: string }> }) {
  const { siren } = await params
  const page = await requireCompanyPage(siren, `/entreprises/${siren}`)
  const { session, companies, company, flash } = page
  const waiting = company.role === 'admin' ? (await fetchMembers(page)).filter((member) => member.status === 'pending').length : 0
  const [tools, welcome, withheld] = await Promise.all([fetchTools(page), takeWelcome(page), fetchWithheldCompany(page)])
  const greeting = (
    <p>
      Bienvenue {session.user.givenName}, vous êtes connecté au Web Services Entreprise de {company.name}.
    </p>
  )
  return (
    <PortalShell session={session} companies={companies} current={company} section="home" flash={flash}>
      {welcome && (
        <div className="alert alert--success" role="status">
          <p className="alert__title">Vous pouvez accéder au portail !</p>
          {greeting}
        </div>
      )}
      {withheld && (
        <div className="alert alert--warning" role="status" data-two-factor-missing>
          <p className="alert__title">Double authentification demandée</p>
          <p>
            {company.name} demande une double authentification à ses membres. Tant que vous ne l&apos;avez pas configurée, les applications ne
            reçoivent pas votre accès à cette entreprise.
          </p>
          <p>
            <a href={withheld.configureUrl}>Configurer la double authentification dans Mon compte</a>
          </p>
        </div>
      )}
      <div className="card">
        <h1>{company.name}</h1>
        {!welcome && greeting}
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
      <section className="card" aria-labelledby="acces">
        <h2 id="acces">Votre accès à {company.name}</h2>
        <p>Vous ne travaillez plus pour cette entreprise ? Quittez-la : vous n&apos;aurez plus accès à son espace ni à ses informations.</p>
        <LeaveCompanyForm siren={siren} companyName={company.name} userId={session.user.id} csrf={session.csrf} />
      </section>
    </PortalShell>
  )
}
