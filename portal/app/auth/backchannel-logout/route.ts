import { backchannelLogout } from '@/handlers/backchannel-logout'
import { serve } from '@/handlers/http'

export function POST(request: Request) {
  return serve('json', (context) => backchannelLogout(context, request))
}
