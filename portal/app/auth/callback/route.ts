import { finishLogin } from '../../../src/handlers/auth'
import { portalContext } from '../../../src/lib/context'

export async function GET(request: Request) {
  return finishLogin(await portalContext(), request)
}
