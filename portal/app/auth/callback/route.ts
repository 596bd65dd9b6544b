import { finishLogin } from '@/handlers/auth'
import { portalContext } from '@/lib/context'

export async function GET(request: Request) {
  return finishLogin(await portalContext(), request)
}
