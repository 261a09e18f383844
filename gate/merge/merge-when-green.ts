import { createHash } from 'node:crypto'
import { git } from '../../record/git/git.ts'
import { GATE_FILE_NAME } from '../config/gate-file-schema.ts'
import { resolveTrunk } from '../config/resolve-trunk.ts'
import {
  GitFailedError,
  MergeConflictError,
  MergeRefusedError,
  MergeWorktreeDirtyError,
} from '../gate-errors.ts'
import { findGreenRecordForTree } from '../ledger/find-green-record.ts'
import type { GateRecord } from '../ledger/gate-record.ts'
import { loadTrustedKeys } from '../ledger/trusted-keys.ts'
import { resolveCommit } from '../runner/resolve-commit.ts'

export interface MergeWhenGreenOptions {
  /** A directory inside the repository. */
  repo: string
  branch: string
  /** @defaultValue the trunk the gate file on `main` names (never the branch's own gate file) */
  trunk?: string
  /** Not read: checking a record needs no secret, only the public keys trunk commits. */
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

/**
 * Merges `branch` into trunk with a merge commit, only when the branch head's tree has a green gate record
 * signed by a key trunk trusts (trunk's firedrill-gate.pub) and judged by trunk's gate file as it stands now.
 * Otherwise refuses with `MergeRefusedError` (exit 1) naming the branch, the commit and why: no record, red
 * (which steps), a record that fails its signature, one signed by a key trunk does not trust, or one judged by
 * another gate file. Checks trunk out in the repository's work tree, so it refuses a work tree with
 * uncommitted changes, and aborts a conflicting merge.
 */
export async function mergeWhenGreen(options: MergeWhenGreenOptions): Promise<MergeOutcome> {
  const { top, commit } = await resolveCommit(options.repo, options.branch)
  const trunk = await resolveTrunk(top, options.trunk)
  const { commit: trunkCommit } = await resolveCommit(top, trunk)
  const trust = await loadTrustedKeys(top, trunk)
  const verdict = await findGreenRecordForTree(top, commit, trust)
  if (verdict.kind !== 'green')
    throw new MergeRefusedError(options.branch, commit, verdict.kind, `${verdict.why}.`)
  const trunkGate = await git(top, ['show', `${trunkCommit}:${GATE_FILE_NAME}`]).catch(() => '')
  const trunkSha = createHash('sha256').update(trunkGate).digest('hex')
  if (verdict.record.gateFile !== trunkSha)
    throw new MergeRefusedError(
      options.branch,
      commit,
      'stale-gate-file',
      `its green record was judged by another gate file (sha256 ${verdict.record.gateFile.slice(0, 12)}, from ${verdict.record.trunk} ${verdict.record.trunkCommit.slice(0, 12)}) than ${trunk}'s ${GATE_FILE_NAME} now (sha256 ${trunkSha.slice(0, 12)}); run firedrill gate on it again.`,
    )

  // Names only: `status --porcelain`'s two status columns would lose their leading space to git()'s trim.
  const dirty = (await git(top, ['diff', '--name-only', 'HEAD'])).split('\n').filter((l) => l.trim() !== '')
  if (dirty.length > 0) throw new MergeWorktreeDirtyError(top, dirty)

  await git(top, ['checkout', '--quiet', trunk])
  try {
    await git(top, [
      'merge',
      '--quiet',
      '--no-ff',
      '--no-edit',
      '-m',
      `Merge branch '${options.branch}'\n\nGate: green on ${verdict.recordCommit.slice(0, 12)} (tree ${verdict.record.tree.slice(0, 12)}), recorded ${verdict.record.startedAt}, signed by ${verdict.record.signer.slice(0, 16)}`,
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
