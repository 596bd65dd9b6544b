import { linkCompanyHandler } from '@/handlers/companies'
import { portalContext } from '@/lib/context'

export async function POST(request: Request) {
  return linkCompanyHandler(await portalContext(), request)
}
