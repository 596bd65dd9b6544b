import { cookies } from 'next/headers'
import { redirect } from 'next/navigation'
import { activeCompaniesOf, createMembershipQueries, type CompanyAccess } from '@opcommerce/shared/queries/memberships'
import { portalContext, type PortalContext } from './context'
import { SESSION_COOKIE, type Session } from './session'

/** What every signed-in page knows: who is there and which companies they may act for. */
export interface Viewer {
  context: PortalContext
  session: Session
  companies: CompanyAccess[]
}

/** Reading the cookies first also marks the page as rendered per request, never at build time. */
export async function currentSession(): Promise<{ context: PortalContext; session: Session | undefined }> {
  const value = (await cookies()).get(SESSION_COOKIE)?.value
  const context = await portalContext()
  return { context, session: await context.sessions.resume(value) }
}

/** The signed-in viewer, or a redirect to the login that comes back to `path`. */
export async function requireViewer(path: string): Promise<Viewer> {
  const { context, session } = await currentSession()
  if (!session) redirect(`/auth/login?returnTo=${encodeURIComponent(path)}`)
  return { context, session, companies: await activeCompaniesOf(context.db, session.userId) }
}

export function openRequestsOf(viewer: Viewer) {
  return createMembershipQueries(viewer.context.db).openRequestsOf(viewer.session.userId)
}

const dateFormat = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Paris' })

export const formatDate = (date: Date) => dateFormat.format(date)
