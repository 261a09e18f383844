import { findGreenRecordForTree, type TreeVerdict } from '../ledger/find-green-record.ts'
import { isRedStep } from '../runner/gate-result.ts'
import { git } from '../sandbox/git.ts'
import type { AcceptedRecord, ItemReason } from './item-verdict.ts'

async function isAncestor(top: string, a: string, b: string): Promise<boolean> {
  return git(top, ['merge-base', '--is-ancestor', a, b]).then(
    () => true,
    () => false,
  )
}

/** The head of the branch that a merge on trunk's first-parent line brought `commit` in with, if any. */
async function mergedBranchHead(top: string, trunk: string, commit: string): Promise<string | undefined> {
  const merges = await git(top, ['rev-list', '--first-parent', '--merges', trunk])
  for (const merge of merges.split('\n').filter((m) => m !== '')) {
    const [first, second] = (await git(top, ['rev-parse', `${merge}^1`, `${merge}^2`])).split('\n')
    if (first === undefined || second === undefined) continue
    if ((await isAncestor(top, commit, second)) && !(await isAncestor(top, commit, first))) return second
  }
  return undefined
}

async function secondParent(top: string, commit: string): Promise<string | undefined> {
  return git(top, ['rev-parse', '--verify', '--quiet', `${commit}^2`]).catch(() => undefined)
}

function reasonOf(commit: string, verdict: Exclude<TreeVerdict, { kind: 'green' }>): ItemReason {
  const short = commit.slice(0, 12)
  switch (verdict.kind) {
    case 'red': {
      const steps = verdict.record.steps.filter(isRedStep).map((s) => `${s.name} ${s.status}`)
      return { kind: 'red', commit, text: `gate record on ${short} is red (${steps.join(', ')})` }
    }
    case 'signature-invalid':
      return { kind: 'signature-invalid', commit, text: `gate record on ${short} fails its signature` }
    case 'no-record':
      return { kind: 'no-record', commit, text: `no gate record for ${short}` }
  }
}

export type ClosingRecord = { accepted: AcceptedRecord } | { reason: ItemReason }

/**
 * Whether a closing commit on trunk went through the gate green. Accepted, in this order: a valid green record
 * on the commit (or on another commit with its very tree); for a merge commit, on its second parent; else on
 * the branch head the trunk merge brought it in with. When none holds, the reason comes from the first of
 * those that has a record at all (red, or failing its signature), else "no gate record" for the commit.
 */
export async function closingRecord(
  top: string,
  trunk: string,
  commit: string,
  env: NodeJS.ProcessEnv,
): Promise<ClosingRecord> {
  const candidates: { commit: string; via: AcceptedRecord['via'] }[] = [{ commit, via: 'own' }]
  const second = await secondParent(top, commit)
  if (second !== undefined) candidates.push({ commit: second, via: 'merged-branch-head' })
  const head = await mergedBranchHead(top, trunk, commit)
  if (head !== undefined && head !== commit && head !== second)
    candidates.push({ commit: head, via: 'merged-branch-head' })

  let firstReason: ItemReason | undefined
  for (const candidate of candidates) {
    const verdict = await findGreenRecordForTree(top, candidate.commit, env)
    if (verdict.kind === 'green') {
      const via = verdict.recordCommit === candidate.commit ? candidate.via : 'same-tree'
      return { accepted: { closingCommit: commit, recordCommit: verdict.recordCommit, via } }
    }
    if (verdict.kind !== 'no-record') firstReason ??= reasonOf(candidate.commit, verdict)
  }
  return {
    reason: firstReason ?? { kind: 'no-record', commit, text: `no gate record for ${commit.slice(0, 12)}` },
  }
}
