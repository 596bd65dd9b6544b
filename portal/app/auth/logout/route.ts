import { logout } from '@/handlers/auth'
import { serve } from '@/handlers/http'

export function POST(request: Request) {
  return serve('page', (context) => logout(context, request))
}
