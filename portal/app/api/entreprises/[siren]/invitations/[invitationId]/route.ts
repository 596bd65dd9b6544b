import { invitationActionHandler } from '@/handlers/invitations'
import { serve } from '@/handlers/http'

export async function POST(request: Request, { params }: { params: Promise<{ siren: string; invitationId: string }> }) {
  const { siren, invitationId } = await params
  return serve('json', (context) => invitationActionHandler(context, request, siren, invitationId))
}
