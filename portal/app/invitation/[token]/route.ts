import { openInvitationHandler } from '@/handlers/invitations'
import { serve } from '@/handlers/http'

export async function GET(request: Request, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params
  return serve('page', (context) => openInvitationHandler(context, request, token))
}
