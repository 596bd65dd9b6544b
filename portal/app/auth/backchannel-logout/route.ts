import { backchannelLogout } from '@/handlers/backchannel-logout'
import { portalContext } from '@/lib/context'

export async function POST(request: Request) {
  return backchannelLogout(await portalContext(), request)
}
