/**
 * Where the end-to-end stack listens: ports next to, never on, the defaults of `npm start`
 * (4000, 3000, 3100, 1025/1080, 9400/9300), so a developer's running stack is left alone. E2E_PORT_OFFSET
 * moves them all, so that two checkouts can run their browser suites side by side.
 */
const offset = Number(process.env.E2E_PORT_OFFSET ?? 0)

export const ports = {
  idp: 4400 + offset,
  portal: 3300 + offset,
  demoTool: 3400 + offset,
  maildevSmtp: 1125 + offset,
  maildevWeb: 1180 + offset,
  idpMetrics: 9440 + offset,
  portalMetrics: 9330 + offset,
} as const

export const urls = {
  idp: `http://localhost:${ports.idp}`,
  portal: `http://localhost:${ports.portal}`,
  demoTool: `http://localhost:${ports.demoTool}`,
  /** MailDev's web inbox and REST API (`/api/email`). */
  maildev: `http://127.0.0.1:${ports.maildevWeb}`,
  idpMetrics: `http://127.0.0.1:${ports.idpMetrics}/metrics`,
  portalMetrics: `http://127.0.0.1:${ports.portalMetrics}/metrics`,
} as const

/** What global-setup hands to global-teardown (through the runner's environment). */
export interface StackState {
  pid: number
  dataDir: string
  /** Set when the run has its own database on a PostgreSQL server. */
  database?: { serverUrl: string; name: string }
}

export const STACK_STATE_VARIABLE = 'E2E_STACK_STATE'
