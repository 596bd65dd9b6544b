import { startLogin } from '@/handlers/auth'
import { serve } from '@/handlers/http'

export function GET(request: Request) {
  return serve('page', (context) => startLogin(context, request))
}
