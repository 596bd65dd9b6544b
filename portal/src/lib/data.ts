import { cookies, headers } from 'next/headers'
import { forbidden, notFound, redirect } from 'next/navigation'
import type { Tool } from '@opcommerce/shared/queries/clients'
import { createCompanyDomainQueries, type CompanyDomain } from '@opcommerce/shared/queries/company-domains'
import { createHeldRequestQueries, type HeldRequest } from '@opcommerce/shared/queries/held-requests'
import { createInvitationQueries, type ListedInvitation } from '@opcommerce/shared/queries/invitations'
import { createSecondFactorQueries } from '@opcommerce/shared/queries/second-factors'
import { createMembershipQueries, type AccessRequest, type ActiveMembership, type CompanyMember } from '@opcommerce/shared/queries/memberships'
import { portalContext, type PortalContext } from './context'
import { cookieNames, FLASH_HEADER } from './cookies'
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

/**
 * Reading the cookies first marks the page as rendered per request: `next build` never renders it,
 * nor loads the configuration, which production only has at run time.
 */
export async function currentSession(): Promise<{ context: PortalContext; session: PortalSession | undefined }> {
  const jar = await cookies()
  const context = await portalContext()
  return { context, session: await context.sessions.resume(jar.get(cookieNames(context.config).session)?.value) }
}

/** Any signed-in user; a visitor logs in first and comes back to `path`. */
export async function signedInAccess(context: PortalContext, session: PortalSession | undefined, path: string): Promise<PageAccess<SignedInPage>> {
  if (!session) return { kind: 'login', to: `/auth/login?returnTo=${encodeURIComponent(path)}` }
  return { kind: 'page', page: { context, session, companies: await createMembershipQueries(context.db).activeOf(session.user.id), flash: undefined } }
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

/** The page with the flash proxy.ts handed over, or Next's redirect, 403 or 404 in its place. */
async function enter<Page extends SignedInPage>(access: PageAccess<Page>): Promise<Page> {
  switch (access.kind) {
    case 'page': {
      const { context } = access.page
      return { ...access.page, flash: unsealFlash((await headers()).get(FLASH_HEADER), context.config.secrets.portalSessionSecret, context.now()) }
    }
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
