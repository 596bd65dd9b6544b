/**
 * Imported first by every entry point. oidc-provider 9 and argon2's prebuilt binary need Node 22,
 * which `npm ci` puts in node_modules/.bin (the `node` package) for every npm script. When that
 * package's install script was skipped (`npm ci --ignore-scripts`), npm scripts run whatever Node
 * the machine has: stop at once with the fix rather than fail later in a dependency.
 */
export const REQUIRED_NODE_MAJOR = 22

/** Why `version` cannot run the product, in French; undefined when it can. */
export function nodeVersionProblem(version: string): string | undefined {
  if (Number(version.split('.')[0]) === REQUIRED_NODE_MAJOR) return undefined
  return (
    `Ce projet fonctionne avec Node.js ${REQUIRED_NODE_MAJOR}, or ce processus tourne sous Node.js ${version}. ` +
    `Lancez « npm ci » sans --ignore-scripts (il installe Node.js ${REQUIRED_NODE_MAJOR} dans node_modules/.bin, que les scripts npm utilisent), ` +
    `ou installez Node.js ${REQUIRED_NODE_MAJOR} (voir .node-version).`
  )
}

const problem = nodeVersionProblem(process.versions.node)
if (problem) {
  console.error(problem)
  process.exit(1)
}
