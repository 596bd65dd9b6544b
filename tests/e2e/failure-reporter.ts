import path from 'node:path'
import type { FullConfig, FullResult, Reporter } from '@playwright/test/reporter'

/** At the end of a run that did not pass, says where the screenshots and the stack log are, and how to get traces. */
export default class FailureReporter implements Reporter {
  #outputDir = ''

  onBegin(config: FullConfig): void {
    this.#outputDir = config.projects[0]?.outputDir ?? ''
  }

  onEnd(result: FullResult): void {
    if (result.status === 'passed') return
    const relative = path.relative(process.cwd(), this.#outputDir) || this.#outputDir
    console.log(`\n[e2e] ${result.status}: screenshots and the stack log (stack.log) are in ${relative}; for traces, run again with --trace retain-on-failure`)
  }

  printsToStdio(): boolean {
    return false
  }
}
