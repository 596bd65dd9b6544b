import { inviteHandler } from '@/handlers/invitations'
import { portalContext } from '@/lib/context'

export async function POST(request: Request, { params }: { params: Promise<{ siren: string }> }) {
  return inviteHandler(await portalContext(), request, (await params).siren)
}
