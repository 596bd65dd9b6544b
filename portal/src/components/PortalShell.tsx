import Link from 'next/link'
import type { ReactNode } from 'react'
import type { ActiveMembership } from '@opcommerce/shared/queries/memberships'
import { fullName } from '@opcommerce/shared/users'
import type { Flash } from '@/lib/flash'
import type { PortalSession } from '@/lib/portal-sessions'
import { FlashArea } from './ActionForm'

export type Section = 'home' | 'users' | 'add' | 'mine' | 'tools'

function Brand() {
  return (
    <Link className="brand" href="/">
      <span className="brand__mark" aria-hidden="true">
        O
      </span>
      <span className="brand__text">
        Opcommerce<small>Web Services Entreprise</small>
      </span>
    </Link>
  )
}

/** What every page has: the skip link, the header band, the main landmark and the footer. */
function Frame({ header, narrow, children }: { header?: ReactNode; narrow?: boolean; children: ReactNode }) {
  return (
    <>
      <a className="skip-link" href="#contenu">
        Aller au contenu
      </a>
      <header className="site-header">{header}</header>
      <main id="contenu">
        <div className={narrow ? 'container container--narrow' : 'container'}>{children}</div>
      </main>
      <footer className="site-footer">Opcommerce — Web Services Entreprise</footer>
    </>
  )
}

export function PublicShell({ children }: { children: ReactNode }) {
  return (
    <Frame
      narrow
      header={
        <div className="site-header__inner">
          <Brand />
        </div>
      }
    >
      {children}
    </Frame>
  )
}

/**
 * The menu bar of the guide: "Gérer les utilisateurs" (administrators of the current company),
 * "Ajouter une entreprise", "Mes entreprises", "Liste des outils de l'Opcommerce", a company
 * switcher when the user has several, their name, « Mon compte » (at the idp) and "Se déconnecter". Above the page, the
 * message of the form just posted (FlashArea).
 */
export function PortalShell(props: {
  session: PortalSession
  companies: ActiveMembership[]
  current?: ActiveMembership
  section: Section
  /** The outcome of a form posted without JavaScript (SignedInPage.flash). */
  flash: Flash | undefined
  children: ReactNode
}) {
  const { session, companies, current, section } = props
  const here = (name: Section) => (section === name ? ('page' as const) : undefined)
  const others = companies.filter((company) => company.siren !== current?.siren)
  return (
    <Frame
      header={
        <>
          <div className="site-header__inner">
            <Brand />
            <div className="user-area">
              <span className="user-name">{fullName(session.user)}</span>
              {/* A route of the portal that sends the browser to the idp, which owns the account. */}
              <a className="link-button" href="/compte">
                Mon compte
              </a>
              <form method="post" action="/auth/logout">
                {/* CSRF_FIELD of shared/src/forms.ts, written out: error.tsx brings this file into client code. */}
                <input type="hidden" name="_csrf" value={session.csrf} />
                <button className="link-button" type="submit">
                  Se déconnecter
                </button>
              </form>
            </div>
          </div>
          <nav className="menu-bar" aria-label="Menu principal">
            <div className="menu-bar__inner">
              {current && (
                <Link href={`/entreprises/${current.siren}`} aria-current={here('home')}>
                  Accueil
                </Link>
              )}
              {current?.role === 'admin' && (
                <Link href={`/entreprises/${current.siren}/utilisateurs`} aria-current={here('users')}>
                  Gérer les utilisateurs
                </Link>
              )}
              <Link href="/entreprises/ajouter" aria-current={here('add')}>
                Ajouter une entreprise
              </Link>
              <Link href="/mes-entreprises" aria-current={here('mine')}>
                Mes entreprises
              </Link>
              <Link href="/outils" aria-current={here('tools')}>
                Liste des outils de l&apos;Opcommerce
              </Link>
              {others.length > 0 && (
                <details className="switcher">
                  <summary>{current ? "Changer d'entreprise" : 'Aller à une entreprise'}</summary>
                  <ul>
                    {others.map((company) => (
                      <li key={company.siren}>
                        <Link href={`/entreprises/${company.siren}`}>{company.name}</Link>
                      </li>
                    ))}
                  </ul>
                </details>
              )}
            </div>
          </nav>
        </>
      }
    >
      {/* Keyed by the message: a page reached with a new one shows it, even when React keeps the page's tree. */}
      <FlashArea key={props.flash?.message} posted={props.flash}>
        {props.children}
      </FlashArea>
    </Frame>
  )
}
