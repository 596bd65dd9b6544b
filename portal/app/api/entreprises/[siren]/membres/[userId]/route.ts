import { memberActionHandler } from '@/handlers/companies'
import { portalContext } from '@/lib/context'

export async function POST(request: Request, { params }: { params: Promise<{ siren: string; userId: string }> }) {
  const { siren, userId } = await params
  return memberActionHandler(await portalContext(), request, siren, userId)
}
