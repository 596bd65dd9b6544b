import type { Metadata, Viewport } from 'next'
import type { ReactNode } from 'react'
import '@opcommerce/shared/theme.css'

export const metadata: Metadata = {
  title: { default: 'Web Services Entreprise · Opcommerce', template: '%s · Web Services Entreprise' },
  description: "L'espace en ligne des entreprises adhérentes de l'Opcommerce.",
}

export const viewport: Viewport = { width: 'device-width', initialScale: 1 }

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="fr">
      <body>{children}</body>
    </html>
  )
}
