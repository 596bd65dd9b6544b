import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { repositoryRoot } from '../../tests/support/processes'
import { nodeVersionProblem } from './node-version'

/** A Node.js of another major version on this machine's PATH (not the project's node_modules/.bin), if any. */
function otherNode(): string | undefined {
  for (const directory of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(directory, 'node')
    if (directory.includes('node_modules') || !existsSync(candidate)) continue
    const version = execFileSync(candidate, ['--version'], { encoding: 'utf8' }).trim().slice(1)
    if (nodeVersionProblem(version)) return candidate
  }
  return undefined
}

describe('the Node.js version check', () => {
  it('accepts Node 22 only, and names the fix otherwise', () => {
    expect(nodeVersionProblem('22.23.3')).toBeUndefined()
    expect(nodeVersionProblem('20.20.2')).toBe(
      'Ce projet fonctionne avec Node.js 22, or ce processus tourne sous Node.js 20.20.2. Lancez « npm ci » sans --ignore-scripts (il installe Node.js 22 dans node_modules/.bin, que les scripts npm utilisent), ou installez Node.js 22 (voir .node-version).',
    )
    expect(nodeVersionProblem('24.1.0')).toContain('Node.js 24.1.0')
  })

  const node = otherNode()
  // Debian's apt gives Node 18 or 20: where one is installed, every entry point is run with it.
  ;(node ? it : it.skip).each([
    'shared/src/cli/start.ts',
    'shared/src/cli/main.ts',
    'shared/src/cli/migrate.ts',
    'idp/src/main.ts',
    'portal/server.ts',
    'tests/bench/run.ts',
    'tests/demo-tool/server.ts',
    'scripts/build.ts',
  ])('stops %s at once under another Node.js, with the fix', (entry) => {
    const result = spawnSync(node!, ['--import', 'tsx', entry], { cwd: repositoryRoot, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 })
    expect(result.status).toBe(1)
    expect(result.stderr.trim()).toMatch(/^Ce projet fonctionne avec Node\.js 22, or ce processus tourne sous Node\.js \d+\.[\d.]+\. Lancez « npm ci » sans --ignore-scripts/u)
    expect(result.stdout).toBe('')
  })
})
