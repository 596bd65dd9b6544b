import { cookies } from 'next/headers'
import { notFound, redirect } from 'next/navigation'
import type { Tool } from '@opcommerce/shared/queries/clients'
import { createMembershipQueries, type AccessRequest, type ActiveMembership, type CompanyMember } from '@opcommerce/shared/queries/memberships'
import { portalContext, type PortalContext } from './context'
import { SESSION_COOKIE } from './cookies'
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

/** Reading the cookies first also marks the page as rendered per request, never at build time. */
export async function currentSession(): Promise<{ context: PortalContext; session: PortalSession | undefined }> {
  const value = (await cookies()).get(SESSION_COOKIE)?.value
  const context = await portalContext()
  return { context, session: await context.sessions.resume(value) }
}

/** The signed-in page, or a redirect to the login that comes back to `path`. */
export async function requireSignedIn(path: string): Promise<SignedInPage> {
  const { context, session } = await currentSession()
  if (!session) redirect(`/auth/login?returnTo=${encodeURIComponent(path)}`)
  return { context, session, companies: await createMembershipQueries(context.db).activeOf(session.user.id) }
}

/**
 * The signed-in page of a company. A user whose access request is pending is sent back to the
 * add/pending page; anyone else without an active membership gets a 404, so the directory cannot
 * be probed.
 */
export async function requireCompanyPage(siren: string, path: string): Promise<CompanyPage> {
  const page = await requireSignedIn(path)
  const company = page.companies.find((candidate) => candidate.siren === siren)
  if (company) return { ...page, company }
  if (/^\d{9}$/u.test(siren) && (await createMembershipQueries(page.context.db).find(page.session.user.id, siren))?.status === 'pending') {
    redirect('/entreprises/ajouter')
  }
  notFound()
}

/** The tools of "Liste des outils de l'Opcommerce". */
export function fetchTools({ context }: SignedInPage): Promise<Tool[]> {
  return context.clients.listTools()
}

/** The user's pending and refused access requests. */
export function fetchAccessRequests({ context, session }: SignedInPage): Promise<AccessRequest[]> {
  return createMembershipQueries(context.db).accessRequestsOf(session.user.id)
}

/** Pending and active members of the page's company. */
export function fetchMembers({ context, company }: CompanyPage): Promise<CompanyMember[]> {
  return createMembershipQueries(context.db).membersOf(company.siren)
}

const dateFormat = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Paris' })

export const formatDate = (date: Date) => dateFormat.format(date)
