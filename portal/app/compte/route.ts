import { portalContext } from '@/lib/context'

/** « Mon compte » of the header: the account belongs to the idp, which signs the person in with its own session. */
export async function GET() {
  const { config } = await portalContext()
  return Response.redirect(`${config.idp.issuer}/compte`, 303)
}
