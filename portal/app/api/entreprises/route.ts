import { linkCompanyHandler } from '../../../src/handlers/companies'
import { portalContext } from '../../../src/lib/context'

export async function POST(request: Request) {
  return linkCompanyHandler(await portalContext(), request)
}
