import { cancelRequestHandler } from '@/handlers/companies'
import { portalContext } from '@/lib/context'

export async function POST(request: Request, { params }: { params: Promise<{ siren: string }> }) {
  return cancelRequestHandler(await portalContext(), request, (await params).siren)
}
