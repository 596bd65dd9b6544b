import { openInvitationHandler } from '@/handlers/invitations'
import { portalContext } from '@/lib/context'

export async function GET(request: Request, { params }: { params: Promise<{ token: string }> }) {
  return openInvitationHandler(await portalContext(), request, (await params).token)
}
