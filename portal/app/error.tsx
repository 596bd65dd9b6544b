'use client'

import { UNEXPECTED_ERROR } from '@opcommerce/shared/errors'
import { PublicShell } from '@/components/PortalShell'

export default function ErrorPage({ reset }: { error: Error; reset: () => void }) {
  return (
    <PublicShell>
      <div className="card">
        <h1>Erreur du service</h1>
        <div className="alert alert--error" role="alert">
          <p>{UNEXPECTED_ERROR}</p>
        </div>
        <button className="button" type="button" onClick={reset}>
          Réessayer
        </button>
      </div>
    </PublicShell>
  )
}
