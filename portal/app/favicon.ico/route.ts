import { ICON_SVG } from '@opcommerce/shared/ui/icon'

export function GET() {
  return new Response(ICON_SVG, { headers: { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'public, max-age=86400' } })
}
