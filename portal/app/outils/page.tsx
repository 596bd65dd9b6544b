import type { Metadata } from 'next'
import { PortalShell } from '@/components/PortalShell'
import { ToolTiles } from '@/components/ToolTiles'
import { fetchTools, requireSignedIn } from '@/lib/data'

export const metadata: Metadata = { title: "Liste des outils de l'Opcommerce" }

export default async function Tools() {
  const page = await requireSignedIn('/outils')
  const { session, companies, flash } = page
  const tools = await fetchTools(page)
  return (
    <PortalShell session={session} companies={companies} current={companies.length === 1 ? companies[0] : undefined} section="tools" flash={flash}>
      <div className="card">
        <h1>Liste des outils de l&apos;Opcommerce</h1>
        <p>
          Après authentification, vous accédez à l&apos;ensemble des portails Web Services : chaque outil s&apos;ouvre sans nouvelle
          saisie de votre mot de passe.
        </p>
        <ToolTiles tools={tools} />
      </div>
    </PortalShell>
  )
}
