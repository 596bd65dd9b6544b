import { remindHandler } from '@/handlers/companies'
import { serve } from '@/handlers/http'

export async function POST(request: Request, { params }: { params: Promise<{ siren: string }> }) {
  const { siren } = await params
  return serve('json', (context) => remindHandler(context, request, siren))
}
