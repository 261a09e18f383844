import { runGate } from '../../gate/runner/run-gate.ts'
import type { NewJournalEvent } from '../../record/journal/journal-event.ts'

/** A gate run as the journal keeps it beside a merge: green or not, and each step's status and time. */
export interface GateSummary {
  green: boolean
  steps: { name: string; status: string; durationMs: number }[]
}

export interface GatedBranch {
  commit: string
  green: boolean
  durationMs: number
  gate: GateSummary
  /** The blocking steps that did not pass. */
  blockedBy: string[]
}

/**
 * Runs the repository's gate on a branch's head (recorded in its ledger) and journals `gate.finished`.
 * `env` reaches the gate's steps (the Redis the contract tests use).
 */
export async function gateBranch(
  repo: string,
  branch: string,
  env: NodeJS.ProcessEnv,
  record: (event: NewJournalEvent) => Promise<unknown>,
): Promise<GatedBranch> {
  const { result } = await runGate({ repo, ref: branch, env })
  const steps = result.steps.map((s) => ({ name: s.name, status: s.status, durationMs: s.durationMs }))
  await record({
    type: 'gate.finished',
    data: {
      commit: result.commit,
      tree: result.tree,
      green: result.green,
      durationMs: result.durationMs,
      steps,
    },
  })
  return {
    commit: result.commit,
    green: result.green,
    durationMs: result.durationMs,
    gate: { green: result.green, steps },
    blockedBy: result.steps.filter((s) => s.blocking && s.status !== 'passed').map((s) => s.name),
  }
}
