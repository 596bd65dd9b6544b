import { inviteHandler } from '@/handlers/invitations'
import { serve } from '@/handlers/http'

export async function POST(request: Request, { params }: { params: Promise<{ siren: string }> }) {
  const { siren } = await params
  return serve('json', (context) => inviteHandler(context, request, siren))
}
