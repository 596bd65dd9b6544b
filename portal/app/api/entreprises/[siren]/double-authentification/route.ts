import { twoFactorRequirementHandler } from '@/handlers/two-factor'
import { portalContext } from '@/lib/context'

export async function POST(request: Request, { params }: { params: Promise<{ siren: string }> }) {
  return twoFactorRequirementHandler(await portalContext(), request, (await params).siren)
}
