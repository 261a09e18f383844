import { withTimeout } from '../../services/platform/with-timeout.ts'

/** One thing cleanup puts back, with how long it may take. */
export interface CleanupStep {
  /** What it does, in words the journal and the user read: `put the flag back to off`. */
  name: string
  run(): Promise<unknown>
  /** @defaultValue 3000 */
  timeoutMs?: number
}

export interface CleanupReport {
  done: string[]
  failed: Array<{ step: string; error: string }>
}

/**
 * Runs every step in order, each bounded by its timeout, and goes on past a step that fails or hangs: cleanup
 * does what it can and says what it could not do. Never throws.
 */
export async function runCleanup(steps: readonly CleanupStep[]): Promise<CleanupReport> {
  const report: CleanupReport = { done: [], failed: [] }
  for (const step of steps) {
    try {
      await withTimeout(Promise.resolve().then(step.run), step.timeoutMs ?? 3000, step.name)
      report.done.push(step.name)
    } catch (err) {
      report.failed.push({ step: step.name, error: (err as Error)?.message ?? String(err) })
    }
  }
  return report
}
