import type { Metadata } from 'next'
import { AccessRequests } from '@/components/AccessRequests'
import { ActionForm, SubmitButton, TextField } from '@/components/ActionForm'
import { PortalShell } from '@/components/PortalShell'
import { fetchAccessRequests, fetchHeldRequests, requireSignedIn } from '@/lib/data'

export const metadata: Metadata = { title: 'Ajouter une entreprise' }

export default async function AddCompany() {
  const page = await requireSignedIn('/entreprises/ajouter')
  const requests = await fetchAccessRequests(page)
  const held = await fetchHeldRequests(page)
  const { context, session, companies, flash } = page
  return (
    <PortalShell session={session} companies={companies} section="add" flash={flash}>
      <div className="card">
        <h1>Ajouter une entreprise</h1>
        {companies.length === 0 && (
          <div className="alert alert--info">
            <p>Vous n&apos;avez pas encore d&apos;accès activé à une entreprise.</p>
          </div>
        )}
        <p>Renseignez le Siren et le code adhérent de l&apos;entreprise puis cliquez sur « Ajouter cette entreprise ».</p>
        <ActionForm action="/api/entreprises" csrf={session.csrf} resetOnSuccess label="Ajouter une entreprise">
          <div className="field-row">
            <TextField name="siren" label="Siren" hint="9 chiffres, par exemple 732 829 320" inputMode="numeric" maxLength={20} />
            <TextField name="code" label="Code adhérent" hint="Indiqué sur vos documents de l'Opcommerce" maxLength={64} />
          </div>
          <SubmitButton>Ajouter cette entreprise</SubmitButton>
        </ActionForm>
      </div>

      <section className="card" aria-labelledby="demandes">
        <h2 id="demandes">Demandes d&apos;accès en attente</h2>
        <AccessRequests requests={requests} held={held} csrf={session.csrf} now={context.now()} />
      </section>
    </PortalShell>
  )
}
