import type { GateStep } from '../config/parse-gate-file.ts'
import type { StepStatus } from '../runner/gate-result.ts'

/** What a step runs against: the commit checked out in a clean worktree, and the environment for its processes. */
export interface StepContext {
  readonly step: GateStep
  /** The worktree holding exactly the commit under test. */
  readonly worktree: string
  readonly env: NodeJS.ProcessEnv
  /** The vitest config the test steps use (written into the worktree by the runner). */
  readonly vitestConfig: string | undefined
}

export interface StepOutcome {
  status: Exclude<StepStatus, 'skipped'>
  outputTail: string
  reason?: string
}
