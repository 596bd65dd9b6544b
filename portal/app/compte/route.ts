import { openAccount } from '@/handlers/auth'
import { portalContext } from '@/lib/context'

export async function GET() {
  return openAccount(await portalContext())
}
