import '@opcommerce/shared/node-version'
import path from 'node:path'
import type { NextConfig } from 'next'

const nextConfig: NextConfig = {
  // A folder that runs without the repository (`npm run build` adds our server.js and the static
  // files); the monorepo is the tracing root, so the shared workspace and hoisted modules are found.
  output: 'standalone',
  outputFileTracingRoot: path.join(import.meta.dirname, '..'),
  // The browser suite builds into its own folder, so it never rebuilds under a running `npm start`.
  distDir: process.env.PORTAL_DIST_DIR ?? '.next',
  // Our TypeScript workspace, compiled by Next; the database drivers stay plain Node modules.
  transpilePackages: ['@opcommerce/shared'],
  serverExternalPackages: ['knex', 'pg', 'pino', 'prom-client', 'rate-limiter-flexible', '@electric-sql/pglite', '@electric-sql/pglite-socket', 'nodemailer'],
  experimental: { authInterrupts: true },
  poweredByHeader: false,
  reactStrictMode: true,
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
          { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
        ],
      },
    ]
  },
}

export default nextConfig
