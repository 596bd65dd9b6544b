import { startLogin } from '@/handlers/auth'
import { portalContext } from '@/lib/context'

export async function GET(request: Request) {
  return startLogin(await portalContext(), request)
}
