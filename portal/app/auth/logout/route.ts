import { logout } from '../../../src/handlers/auth'
import { portalContext } from '../../../src/lib/context'

export async function POST(request: Request) {
  return logout(await portalContext(), request)
}
