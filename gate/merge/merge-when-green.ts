import { GATE_FILE_NAME } from '../config/gate-file-schema.ts'
import { parseGateFile } from '../config/parse-gate-file.ts'
import {
  GitFailedError,
  MergeConflictError,
  MergeRefusedError,
  MergeWorktreeDirtyError,
} from '../gate-errors.ts'
import { findGreenRecordForTree } from '../ledger/find-green-record.ts'
import type { GateRecord } from '../ledger/gate-record.ts'
import { resolveCommit } from '../runner/resolve-commit.ts'
import { git } from '../sandbox/git.ts'

export interface MergeWhenGreenOptions {
  /** A directory inside the repository. */
  repo: string
  branch: string
  /** @defaultValue the gate file's `trunk` at the branch head, else 'main' */
  trunk?: string
  /** Where FIREDRILL_GATE_KEY is read. @defaultValue process.env */
  env?: NodeJS.ProcessEnv
}

export interface MergeOutcome {
  trunk: string
  /** The branch head that was merged. */
  branchHead: string
  /** Trunk's new head (the merge commit, or trunk unchanged when it already held the branch). */
  mergeCommit: string
  /** The green record that let the merge through, and the commit it is attached to. */
  record: GateRecord
  recordCommit: string
}

async function trunkOf(top: string, commit: string): Promise<string> {
  try {
    const text = await git(top, ['show', `${commit}:${GATE_FILE_NAME}`])
    return parseGateFile(text, GATE_FILE_NAME).trunk
  } catch {
    return 'main'
  }
}

/**
 * Merges `branch` into trunk with a merge commit, only when the branch head's tree has a valid, green gate
 * record. Otherwise refuses with `MergeRefusedError` (exit 1) naming the branch, the commit and why: no record,
 * red (which steps), or a record that fails its signature. Checks trunk out in the repository's work tree,
 * so it refuses a work tree with uncommitted changes, and aborts a conflicting merge.
 */
export async function mergeWhenGreen(options: MergeWhenGreenOptions): Promise<MergeOutcome> {
  const { top, commit } = await resolveCommit(options.repo, options.branch)
  const verdict = await findGreenRecordForTree(top, commit, options.env ?? process.env)
  if (verdict.kind !== 'green')
    throw new MergeRefusedError(options.branch, commit, verdict.kind, `${verdict.why}.`)
  const trunk = options.trunk ?? (await trunkOf(top, commit))
  await resolveCommit(top, trunk)

  const dirty = (await git(top, ['status', '--porcelain', '--untracked-files=no']))
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.slice(3))
  if (dirty.length > 0) throw new MergeWorktreeDirtyError(top, dirty)

  await git(top, ['checkout', '--quiet', trunk])
  try {
    await git(top, [
      'merge',
      '--quiet',
      '--no-ff',
      '--no-edit',
      '-m',
      `Merge branch '${options.branch}'\n\nGate: green on ${verdict.recordCommit.slice(0, 12)} (tree ${verdict.record.tree.slice(0, 12)}), recorded ${verdict.record.startedAt}`,
      commit,
    ])
  } catch (err) {
    await git(top, ['merge', '--abort']).catch(() => {})
    if (err instanceof GitFailedError) throw new MergeConflictError(options.branch, trunk, err.message)
    throw err
  }
  return {
    trunk,
    branchHead: commit,
    mergeCommit: await git(top, ['rev-parse', 'HEAD']),
    record: verdict.record,
    recordCommit: verdict.recordCommit,
  }
}
