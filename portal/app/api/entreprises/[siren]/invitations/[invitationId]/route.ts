import { invitationActionHandler } from '@/handlers/invitations'
import { portalContext } from '@/lib/context'

export async function POST(request: Request, { params }: { params: Promise<{ siren: string; invitationId: string }> }) {
  const { siren, invitationId } = await params
  return invitationActionHandler(await portalContext(), request, siren, invitationId)
}
