import { logout } from '@/handlers/auth'
import { portalContext } from '@/lib/context'

export async function POST(request: Request) {
  return logout(await portalContext(), request)
}
