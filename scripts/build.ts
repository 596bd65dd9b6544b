/**
 * `npm run build`: what production runs, as plain JavaScript for `node` — no TypeScript loader and
 * no devDependency at run time (esbuild and Next.js's compiler run here, at build time only).
 *
 *   idp/dist/main.js                        the idp (with idp/assets and shared/src/ui/theme.css)
 *   shared/dist/migrate.js, shared/dist/cli.js   the migrations and the operator's commands
 *   portal/.next/standalone/                the portal: a folder that runs on its own
 *                                           (node portal/.next/standalone/portal/server.js)
 *
 * Our workspaces are bundled in; npm packages stay imports, served by `npm ci --omit=dev` (idp,
 * CLI) or by the node_modules Next.js traced into the standalone folder (portal).
 * `npm run build -- idp` builds the first two only (`npm run bench` does, in a few seconds).
 */
import '@opcommerce/shared/node-version'
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { build, type Plugin } from 'esbuild'

const root = path.resolve(import.meta.dirname, '..')
const portalDir = path.join(root, 'portal')
const distDir = path.join(portalDir, process.env.PORTAL_DIST_DIR ?? '.next')
const standaloneDir = path.join(distDir, 'standalone')
const standalonePortal = path.join(standaloneDir, 'portal')

const step = (message: string) => console.log(`[build] ${message}`)

function fail(message: string): never {
  console.error(`[build] ${message}`)
  process.exit(1)
}

/** Production dependencies of workspaces: what `npm ci --omit=dev` installs. */
function dependenciesOf(...workspaces: string[]): string[] {
  return workspaces.flatMap((workspace) => {
    const manifest = JSON.parse(readFileSync(path.join(root, workspace, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }
    return Object.keys(manifest.dependencies ?? {}).filter((name) => !name.startsWith('@opcommerce/'))
  })
}

/** Packages Next.js traced into the standalone folder (`@scope/name` included). */
function tracedPackages(): string[] {
  const modules = path.join(standaloneDir, 'node_modules')
  return readdirSync(modules).flatMap((name) => (name.startsWith('@') ? readdirSync(path.join(modules, name)).map((inner) => `${name}/${inner}`) : [name]))
}

/**
 * Each entry point becomes a small file that checks the Node version and defaults NODE_ENV to
 * production before it imports the rest (a chunk): an ES module's static imports all run before
 * its own code, so the check must come first in a file of its own.
 */
const ENTRY = 'production-entry:'
const productionEntries: Plugin = {
  name: 'production-entries',
  setup(esbuild) {
    esbuild.onResolve({ filter: new RegExp(`^${ENTRY}`) }, (args) => ({ path: args.path.slice(ENTRY.length), namespace: 'production-entry' }))
    esbuild.onLoad({ filter: /.*/, namespace: 'production-entry' }, (args) => ({
      resolveDir: root,
      loader: 'js',
      contents: [
        `import ${JSON.stringify(path.join(root, 'shared/src/node-version.ts'))}`,
        "process.env.NODE_ENV ??= 'production'",
        `await import(${JSON.stringify(path.join(root, args.path))})`,
      ].join('\n'),
    }))
  },
}

/** Chunks sit next to their entry point, so that each finds its files relative to its own folder. */
async function bundle(entries: Record<string, string>, outdir: string, external: string[]): Promise<void> {
  await build({
    entryPoints: Object.entries(entries).map(([out, source]) => ({ in: `${ENTRY}${source}`, out })),
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    external,
    plugins: [productionEntries],
    chunkNames: '[name]-[hash]',
    sourcemap: true,
    logLevel: 'warning',
  })
}

step('idp, migrations and CLI (esbuild)')
for (const outdir of ['idp/dist', 'shared/dist']) rmSync(path.join(root, outdir), { recursive: true, force: true })
await bundle({ main: 'idp/src/main.ts' }, path.join(root, 'idp/dist'), dependenciesOf('idp', 'shared'))
await bundle({ migrate: 'shared/src/cli/migrate.ts', cli: 'shared/src/cli/main.ts' }, path.join(root, 'shared/dist'), dependenciesOf('shared'))

if (process.argv[2] === 'idp') {
  step('done: node idp/dist/main.js · node shared/dist/migrate.js · node shared/dist/cli.js')
  process.exit(0)
}

step('portal (next build, standalone output)')
const nextBuild = spawnSync(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'build'], {
  cwd: portalDir,
  env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
  stdio: 'inherit',
})
if (nextBuild.status !== 0) fail('next build a échoué (voir ci-dessus).')
if (!existsSync(standalonePortal)) fail(`Sortie standalone absente : ${standalonePortal}`)
// Next.js leaves the browser's files out of the standalone folder: they go where its server looks
// (the portal has no public/ folder, the other one Next.js leaves out).
cpSync(path.join(distDir, 'static'), path.join(standalonePortal, path.relative(portalDir, distDir), 'static'), { recursive: true })
// Our server replaces Next.js's server.js; the packages Next.js traced serve it as they serve the
// pages, so both share one copy of each (pino, prom-client, knex, next itself).
rmSync(path.join(standalonePortal, 'server.js'))
await bundle({ server: 'portal/server.ts' }, standalonePortal, tracedPackages())

step(`done: node idp/dist/main.js · node shared/dist/migrate.js · node shared/dist/cli.js · node ${path.relative(root, standalonePortal)}/server.js`)
