import { notFound, redirect } from 'next/navigation'
import { createMembershipQueries, type CompanyAccess } from '@opcommerce/shared/queries/memberships'
import { requireViewer, type Viewer } from './pages'

/**
 * The viewer and the company of a /entreprises/:siren page. Someone whose request is pending is
 * sent back to the add/pending page; anyone else without access gets a 404, so the directory
 * cannot be probed.
 */
export type CompanyViewer = Viewer & { company: CompanyAccess }

export async function requireCompanyViewer(siren: string, path: string): Promise<CompanyViewer> {
  const viewer = await requireViewer(path)
  const company = viewer.companies.find((candidate) => candidate.siren === siren)
  if (company) return { ...viewer, company }
  if (/^\d{9}$/u.test(siren) && (await createMembershipQueries(viewer.context.db).find(viewer.session.userId, siren))?.status === 'pending') {
    redirect('/entreprises/ajouter')
  }
  notFound()
}

/** Pending requests and active members of the viewer's company. */
export function companyPeople({ context, company }: CompanyViewer) {
  return createMembershipQueries(context.db).peopleOf(company.siren)
}
