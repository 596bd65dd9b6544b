import { cookies } from 'next/headers'
import { forbidden, notFound, redirect } from 'next/navigation'
import type { Tool } from '@opcommerce/shared/queries/clients'
import { createHeldRequestQueries, type HeldRequest } from '@opcommerce/shared/queries/held-requests'
import { createMembershipQueries, type AccessRequest, type ActiveMembership, type CompanyMember } from '@opcommerce/shared/queries/memberships'
import { portalContext, type PortalContext } from './context'
import { cookieNames } from './cookies'
import type { PortalSession } from './portal-sessions'

// Everything the portal's pages read, in one module; they write only through the route handlers.

/** What every signed-in page knows: the portal session and the companies its user may act for. */
export interface SignedInPage {
  context: PortalContext
  session: PortalSession
  companies: ActiveMembership[]
}

/** A page of /entreprises/:siren: the company is one of the user's active memberships. */
export interface CompanyPage extends SignedInPage {
  company: ActiveMembership
}

/**
 * Who may see a page, decided on the server from the session cookie alone (the authorization
 * matrix test runs every page's decision for every kind of user): the page, or where to go.
 */
export type PageAccess<Page> =
  | { kind: 'page'; page: Page }
  | { kind: 'login'; to: string }
  | { kind: 'pending' } // a pending access request: back to "Ajouter une entreprise"
  | { kind: 'not_found' }
  | { kind: 'forbidden' }

/** Reading the cookies first also marks the page as rendered per request, never at build time. */
export async function currentSession(): Promise<{ context: PortalContext; session: PortalSession | undefined }> {
  const context = await portalContext()
  const value = (await cookies()).get(cookieNames(context.config).session)?.value
  return { context, session: await context.sessions.resume(value) }
}

/** Any signed-in user; a visitor logs in first and comes back to `path`. */
export async function signedInAccess(context: PortalContext, session: PortalSession | undefined, path: string): Promise<PageAccess<SignedInPage>> {
  if (!session) return { kind: 'login', to: `/auth/login?returnTo=${encodeURIComponent(path)}` }
  return { kind: 'page', page: { context, session, companies: await createMembershipQueries(context.db).activeOf(session.user.id) } }
}

/**
 * A company's page: its active members (its administrators only with `admin`). A user whose
 * access request is pending goes back to the add/pending page; anyone else without an active
 * membership gets a 404, so the directory cannot be probed.
 */
export async function companyAccess(
  context: PortalContext,
  session: PortalSession | undefined,
  siren: string,
  path: string,
  { admin }: { admin: boolean },
): Promise<PageAccess<CompanyPage>> {
  const access = await signedInAccess(context, session, path)
  if (access.kind !== 'page') return access
  const company = access.page.companies.find((candidate) => candidate.siren === siren)
  if (company) return admin && company.role !== 'admin' ? { kind: 'forbidden' } : { kind: 'page', page: { ...access.page, company } }
  const pending = /^\d{9}$/u.test(siren) && (await createMembershipQueries(context.db).find(access.page.session.user.id, siren))?.status === 'pending'
  return pending ? { kind: 'pending' } : { kind: 'not_found' }
}

/** The page, or Next's redirect, 403 or 404 in its place. */
function enter<Page>(access: PageAccess<Page>): Page {
  switch (access.kind) {
    case 'page':
      return access.page
    case 'login':
      redirect(access.to)
    case 'pending':
      redirect('/entreprises/ajouter')
    case 'forbidden':
      forbidden()
    case 'not_found':
      notFound()
  }
}

export async function requireSignedIn(path: string): Promise<SignedInPage> {
  const { context, session } = await currentSession()
  return enter(await signedInAccess(context, session, path))
}

export async function requireCompanyPage(siren: string, path: string): Promise<CompanyPage> {
  const { context, session } = await currentSession()
  return enter(await companyAccess(context, session, siren, path, { admin: false }))
}

/** "Gérer les utilisateurs": the company's administrators only (403 for its other members). */
export async function requireCompanyAdminPage(siren: string, path: string): Promise<CompanyPage> {
  const { context, session } = await currentSession()
  return enter(await companyAccess(context, session, siren, path, { admin: true }))
}

/** The tools of "Liste des outils de l'Opcommerce". */
export function fetchTools({ context }: SignedInPage): Promise<Tool[]> {
  return context.clients.listTools()
}

/** The user's pending and refused access requests. */
export function fetchAccessRequests({ context, session }: SignedInPage): Promise<AccessRequest[]> {
  return createMembershipQueries(context.db).accessRequestsOf(session.user.id)
}

/** The user's requests held for the Opcommerce's verification. */
export function fetchHeldRequests({ context, session }: SignedInPage): Promise<HeldRequest[]> {
  return createHeldRequestQueries(context.db).openOf(session.user.id)
}

/** Pending and active members of the page's company. */
export function fetchMembers({ context, company }: CompanyPage): Promise<CompanyMember[]> {
  return createMembershipQueries(context.db).membersOf(company.siren)
}

const dateFormat = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Paris' })

export const formatDate = (date: Date) => dateFormat.format(date)
