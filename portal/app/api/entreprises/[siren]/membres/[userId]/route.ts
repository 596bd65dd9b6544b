import { memberActionHandler } from '@/handlers/companies'
import { serve } from '@/handlers/http'

export async function POST(request: Request, { params }: { params: Promise<{ siren: string; userId: string }> }) {
  const { siren, userId } = await params
  return serve('json', (context) => memberActionHandler(context, request, siren, userId))
}
