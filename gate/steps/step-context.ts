import type { JunitCase } from '../../record/junit/junit-xml.ts'
import type { GateStep } from '../config/parse-gate-file.ts'
import type { StepStatus } from '../runner/gate-result.ts'
import type { StepLauncher } from '../step-sandbox/step-launcher.ts'

/**
 * What a step runs against. Built-ins the gate runs in its own process read `worktree`, the gate's pristine
 * checkout, which no step's code can reach in the sandbox; steps that run the commit's code get their own copy
 * and process from `launcher`.
 */
export interface StepContext {
  readonly step: GateStep
  /** The gate's checkout of exactly the commit under test. */
  readonly worktree: string
  /** The repository's top-level directory, and the commit under test (its objects are the ground truth). */
  readonly repo: string
  readonly commit: string
  readonly launcher: StepLauncher
}

export interface StepOutcome {
  status: Exclude<StepStatus, 'skipped'>
  outputTail: string
  reason?: string
  tests?: JunitCase[]
}
