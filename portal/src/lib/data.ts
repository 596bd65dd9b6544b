import { cookies, headers } from 'next/headers'
import { notFound, redirect } from 'next/navigation'
import type { Tool } from '@opcommerce/shared/queries/clients'
import { createCompanyDomainQueries, type CompanyDomain } from '@opcommerce/shared/queries/company-domains'
import { createInvitationQueries, type ListedInvitation } from '@opcommerce/shared/queries/invitations'
import { createSecondFactorQueries } from '@opcommerce/shared/queries/second-factors'
import { createMembershipQueries, type AccessRequest, type ActiveMembership, type CompanyMember } from '@opcommerce/shared/queries/memberships'
import { portalContext, type PortalContext } from './context'
import { FLASH_HEADER, SESSION_COOKIE } from './cookies'
import { unsealFlash, type Flash } from './flash'
import type { PortalSession } from './portal-sessions'

// Everything the portal's pages read, in one module; they write only through the route handlers.

/**
 * What every signed-in page knows: the portal session, the companies its user may act for, and
 * the outcome of a form just posted without JavaScript.
 */
export interface SignedInPage {
  context: PortalContext
  session: PortalSession
  companies: ActiveMembership[]
  flash: Flash | undefined
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
  const flash = unsealFlash((await headers()).get(FLASH_HEADER), context.config.secrets.portalSessionSecret, context.now())
  return { context, session, companies: await createMembershipQueries(context.db).activeOf(session.user.id), flash }
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

/** The company's invitations not yet accepted nor cancelled, expired ones included. */
export function fetchInvitations({ context, company }: CompanyPage): Promise<ListedInvitation[]> {
  return createInvitationQueries(context.db).openOf(company.siren)
}

/** The company's trusted email domains. */
export function fetchDomains({ context, company }: CompanyPage): Promise<CompanyDomain[]> {
  return createCompanyDomainQueries(context.db).listOf(company.siren)
}

/** The company's two-factor setting, and how many of its members have no second factor yet. */
export function fetchTwoFactorRequirement({ context, company }: CompanyPage): Promise<{ required: boolean; membersWithout: number }> {
  return createSecondFactorQueries(context.db).companyRequirement(company.siren)
}

/**
 * For a member without a second factor, the page's company when it requires one: the idp leaves
 * it out of their `companies` claim, and the company home says why and where to fix it.
 */
export async function fetchWithheldCompany({ context, session, company }: CompanyPage): Promise<{ configureUrl: string } | undefined> {
  const factors = createSecondFactorQueries(context.db)
  if (!(await factors.companyRequirement(company.siren)).required) return undefined
  const own = await factors.of(session.user.id)
  if (own.totp || own.passkeys > 0) return undefined
  return { configureUrl: `${context.config.idp.issuer}/compte/double-authentification` }
}

/**
 * Whether the company home says « Vous pouvez accéder au portail ! »: once, at the first visit
 * after the membership became active (first administrator, approval, invitation, trusted domain).
 */
export function takeWelcome({ context, session, company }: CompanyPage): Promise<boolean> {
  return context.memberships.takeWelcome(session.user.id, company.siren)
}

export { formatDateTime as formatDate, formatDay } from '@opcommerce/shared/dates'
