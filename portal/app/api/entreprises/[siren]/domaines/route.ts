import { domainActionHandler } from '@/handlers/domains'
import { portalContext } from '@/lib/context'

export async function POST(request: Request, { params }: { params: Promise<{ siren: string }> }) {
  return domainActionHandler(await portalContext(), request, (await params).siren)
}
