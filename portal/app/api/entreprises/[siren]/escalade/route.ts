import { escalateHandler } from '@/handlers/companies'
import { serve } from '@/handlers/http'

export async function POST(request: Request, { params }: { params: Promise<{ siren: string }> }) {
  const { siren } = await params
  return serve('json', (context) => escalateHandler(context, request, siren))
}
