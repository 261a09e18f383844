import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { GateStep } from '../../../gate/config/parse-gate-file.ts'
import { MergeRefusedError } from '../../../gate/gate-errors.ts'
import { mergeWhenGreen } from '../../../gate/merge/merge-when-green.ts'
import { isRedStep } from '../../../gate/runner/gate-result.ts'
import { runGate } from '../../../gate/runner/run-gate.ts'
import { git } from '../../../record/git/git.ts'
import { breakStep } from './break-step.ts'

/** One blocking step forced red in the throwaway copy, and what the gate and the merges then did. */
export interface ForcedRed {
  step: string
  kind: string
  /** How it was broken; absent when the grader knows no way (`cannot` says why). */
  how?: string
  cannot?: string
  commit?: string
  /** The gate was red, with the forced step among the red ones. */
  red?: boolean
  /** Every blocking step that did not pass. */
  redSteps?: string[]
  /** `firedrill merge` refused it. */
  mergeRefused?: boolean
  /** A plain `git merge` into trunk was refused (by the trunk merge hook). */
  gitMergeRefused?: boolean
  /** Trunk is where it was after both tries. */
  trunkUnmoved?: boolean
  /** The forced red blocked the merge: red, both merges refused, trunk unmoved. */
  blocked: boolean
}

export interface DemonstrateOptions {
  /** The throwaway copy, trunk checked out. */
  dir: string
  trunk: string
  step: GateStep
  env: NodeJS.ProcessEnv
  now: number
}

async function tryGitMerge(dir: string, branch: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  try {
    // As a person types it: the repository's own settings decide fast-forward or merge commit.
    const defined = Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)
    await git(dir, ['merge', '--no-edit', branch], Object.fromEntries(defined))
    return false
  } catch {
    await git(dir, ['merge', '--abort']).catch(() => {})
    return true
  } finally {
    await git(dir, ['reset', '-q', '--hard']).catch(() => {})
  }
}

/**
 * The demonstration for one blocking step, in the throwaway copy: break the step on a branch cut from trunk,
 * run the gate on it (recorded, as a real run is), then try to merge it both ways a person would (`firedrill
 * merge`, and a plain `git merge`, which the hook must refuse), and check that trunk did not move.
 */
export async function demonstrateForcedRed(options: DemonstrateOptions): Promise<ForcedRed> {
  const { dir, trunk, step, env } = options
  const base = { step: step.name, kind: step.kind }
  await git(dir, ['checkout', '-q', '-f', trunk])
  const trunkBefore = await git(dir, ['rev-parse', trunk])
  const breakage = await breakStep(dir, step, options.now)
  if ('cannot' in breakage) return { ...base, cannot: breakage.cannot, blocked: false }

  const branch = `firedrill-grade/forced-red/${step.name.replace(/[^A-Za-z0-9._-]/g, '-')}`
  await git(dir, ['checkout', '-q', '-B', branch, trunk])
  for (const [path, text] of Object.entries(breakage.files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true })
    await writeFile(join(dir, path), text)
  }
  await git(dir, ['add', '-A', '--', ...Object.keys(breakage.files)])
  await git(dir, ['commit', '-q', '--no-verify', '-m', `test: force ${step.name} red (firedrill grade)`])
  const commit = await git(dir, ['rev-parse', 'HEAD'])
  await git(dir, ['checkout', '-q', trunk])

  const { result } = await runGate({ repo: dir, ref: branch, env })
  const redSteps = result.steps.filter(isRedStep).map((s) => s.name)
  const red = !result.green && redSteps.includes(step.name)

  let mergeRefused = false
  try {
    await mergeWhenGreen({ repo: dir, branch, trunk, env })
  } catch (err) {
    if (!(err instanceof MergeRefusedError)) throw err
    mergeRefused = true
  }
  await git(dir, ['checkout', '-q', '-f', trunk])
  const afterFiredrillMerge = await git(dir, ['rev-parse', trunk])
  await git(dir, ['reset', '-q', '--hard', trunkBefore])
  const gitMergeRefused = await tryGitMerge(dir, branch, env)
  const afterGitMerge = await git(dir, ['rev-parse', trunk])
  const trunkUnmoved = afterFiredrillMerge === trunkBefore && afterGitMerge === trunkBefore
  await git(dir, ['reset', '-q', '--hard', trunkBefore])
  return {
    ...base,
    how: breakage.how,
    commit,
    red,
    redSteps,
    mergeRefused,
    gitMergeRefused,
    trunkUnmoved,
    blocked: red && mergeRefused && gitMergeRefused && trunkUnmoved,
  }
}
