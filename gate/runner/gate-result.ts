import type { JunitCase } from '../../record/junit/junit-xml.ts'
import type { GateStepKind } from '../config/parse-gate-file.ts'
import type { SandboxState } from '../step-sandbox/sandbox-state.ts'

/**
 * `passed`/`failed`: the step ran and said so; `timed-out`: stopped at its timeout; `skipped`: a step it
 * needs did not pass; `error`: the step could not be run at all (missing tool, unreadable file).
 */
export type StepStatus = 'passed' | 'failed' | 'timed-out' | 'skipped' | 'error'

export interface StepResult {
  name: string
  kind: GateStepKind
  blocking: boolean
  status: StepStatus
  durationMs: number
  /** The last lines the step wrote (or, for built-ins run in process, what they found). */
  outputTail: string
  /** Why it did not pass, in one line. */
  reason?: string
  /**
   * A test step's own test cases, as its test runner reported them (written by the code under test, so they
   * describe the step; the step's status, from its exit code, is what counts).
   */
  tests?: JunitCase[]
}

export interface GateResult {
  /** The ref as asked for (`HEAD`, a branch, a commit id). */
  ref: string
  commit: string
  tree: string
  /** sha256 of the gate file that judged the commit: trunk's (`policy`). */
  gateFile: string
  /** Where the steps came from: trunk's gate file, never the change's own. */
  policy: GatePolicy
  /** Whether the steps that run the commit's code ran in the sandbox, said plainly. */
  sandbox: SandboxState
  steps: StepResult[]
  /** Every blocking step passed. */
  green: boolean
  durationMs: number
  /** ISO time the run started. */
  startedAt: string
}

/** The gate file that judged a commit: `file` as trunk (`trunkCommit`) holds it. */
export interface GatePolicy {
  file: string
  sha256: string
  trunk: string
  trunkCommit: string
}

/** A step counts against the gate when it is blocking and did not pass (skipped included: it was not proven). */
export function isRedStep(step: Pick<StepResult, 'blocking' | 'status'>): boolean {
  return step.blocking && step.status !== 'passed'
}
