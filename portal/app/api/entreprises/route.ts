import { linkCompanyHandler } from '@/handlers/companies'
import { serve } from '@/handlers/http'

export function POST(request: Request) {
  return serve('json', (context) => linkCompanyHandler(context, request))
}
