import { mergeWhenGreen } from '../../gate/merge/merge-when-green.ts'
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

export interface ShippedBranch extends GatedBranch {
  /** The merge into trunk; null when the gate was red (nothing merged). */
  merged: { branchHead: string; mergeCommit: string } | null
}

/**
 * The one way a drill's commit reaches trunk, for the change, the fix and the flag's close-out alike: the gate
 * on the branch's head (journalled), then, only when it is green, the merge through `mergeWhenGreen`, which
 * checks the signed gate record again. What the merge means is for the caller to journal.
 */
export async function gateAndMerge(
  repo: string,
  branch: string,
  env: NodeJS.ProcessEnv,
  record: (event: NewJournalEvent) => Promise<unknown>,
): Promise<ShippedBranch> {
  const gated = await gateBranch(repo, branch, env, record)
  if (!gated.green) return { ...gated, merged: null }
  const { branchHead, mergeCommit } = await mergeWhenGreen({ repo, branch, env })
  return { ...gated, merged: { branchHead, mergeCommit } }
}
