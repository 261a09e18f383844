import { createHash } from 'node:crypto'
import { git } from '../../record/git/git.ts'
import { GATE_FILE_NAME } from '../config/gate-file-schema.ts'
import { parseGateFile } from '../config/parse-gate-file.ts'
import { findGreenRecordForTree, type TreeVerdict } from '../ledger/find-green-record.ts'
import type { GateRecord } from '../ledger/gate-record.ts'
import type { TrustedKeys } from '../ledger/trusted-keys.ts'
import { isRedStep } from '../runner/gate-result.ts'
import { isTestFile } from './is-test-file.ts'
import type { AcceptedRecord, ItemReason, VerifiableItem } from './item-verdict.ts'

const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904'

async function isAncestor(top: string, a: string, b: string): Promise<boolean> {
  return git(top, ['merge-base', '--is-ancestor', a, b]).then(
    () => true,
    () => false,
  )
}

async function firstParent(top: string, commit: string): Promise<string> {
  return git(top, ['rev-parse', '--verify', '--quiet', `${commit}^1`]).catch(() => EMPTY_TREE)
}

async function changedPaths(top: string, from: string, to: string): Promise<string[]> {
  const out = await git(top, ['diff', '--name-only', '--no-renames', '-z', from, to])
  return out.split('\0').filter((p) => p !== '')
}

/** The trunk merge (on trunk's first-parent line) that brought `commit` in, and the branch head it merged. */
async function mergedBy(
  top: string,
  trunk: string,
  commit: string,
): Promise<{ merge: string; head: string } | undefined> {
  const merges = (await git(top, ['rev-list', '--first-parent', '--merges', trunk]))
    .split('\n')
    .filter(Boolean)
  for (const merge of merges) {
    const [first, second] = (await git(top, ['rev-parse', `${merge}^1`, `${merge}^2`])).split('\n')
    if (first === undefined || second === undefined) continue
    if (merge === commit) return { merge, head: second }
    if ((await isAncestor(top, commit, second)) && !(await isAncestor(top, commit, first)))
      return { merge, head: second }
  }
  return undefined
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
    case 'untrusted-key':
      return {
        kind: 'untrusted-key',
        commit,
        text: `gate record on ${short}: ${verdict.why.replace(/^its gate record is not trusted: /, '')}`,
      }
    case 'no-record':
      return { kind: 'no-record', commit, text: `no gate record for ${short}` }
  }
}

/** The record was judged by a gate file trunk itself held (not one named with another --trunk). */
async function judgedByTrunk(top: string, trunk: string, record: GateRecord): Promise<boolean> {
  if (!(await isAncestor(top, record.trunkCommit, trunk))) return false
  const text = await git(top, ['show', `${record.trunkCommit}:${GATE_FILE_NAME}`]).catch(() => undefined)
  return text !== undefined && createHash('sha256').update(text).digest('hex') === record.gateFile
}

/** A merge whose tree is not what merging its parents gives: conflicts resolved by hand, or an edited merge. */
async function mergeAltered(top: string, merge: string): Promise<boolean> {
  const clean = await git(top, ['merge-tree', '--write-tree', `${merge}^1`, `${merge}^2`]).catch(
    () => undefined,
  )
  const tree = await git(top, ['rev-parse', `${merge}^{tree}`])
  return clean?.split('\n')[0] !== tree
}

async function gateStepsChanged(top: string, from: string, to: string): Promise<boolean> {
  const steps = async (commit: string) => {
    const text = await git(top, ['show', `${commit}:${GATE_FILE_NAME}`]).catch(() => undefined)
    if (text === undefined) return undefined
    try {
      return JSON.stringify(parseGateFile(text, GATE_FILE_NAME).steps)
    } catch {
      return undefined
    }
  }
  const [before, after] = await Promise.all([steps(from), steps(to)])
  return after !== undefined && before !== after
}

export type ClosingRecord = { accepted: AcceptedRecord } | { reason: ItemReason }

/**
 * Whether a closing commit on trunk closes its item. It must change something (an empty commit closes
 * nothing); it must have come in through a trunk merge of a branch whose head went through the gate green,
 * signed by a key trunk trusts, judged by a gate file trunk held, with the merge adding nothing of its own; and
 * for a `prevent` item, that merge must add or change a test or a gate step. A commit made straight on trunk is
 * not merged through the gate, whatever its own record says.
 */
export async function closingRecord(
  top: string,
  trunk: string,
  commit: string,
  item: VerifiableItem,
  trust: TrustedKeys,
): Promise<ClosingRecord> {
  const short = commit.slice(0, 12)
  if ((await changedPaths(top, await firstParent(top, commit), commit)).length === 0)
    return {
      reason: {
        kind: 'empty-change',
        commit,
        text: `${short} changes nothing: an empty commit closes no item`,
      },
    }
  const merged = await mergedBy(top, trunk, commit)
  if (merged === undefined) {
    const own = await findGreenRecordForTree(top, commit, trust)
    if (own.kind !== 'green' && own.kind !== 'no-record') return { reason: reasonOf(commit, own) }
    return {
      reason: {
        kind: 'not-merged',
        commit,
        text: `${short} was committed straight to ${trunk}, not merged through the gate (firedrill merge)`,
      },
    }
  }
  const verdict = await findGreenRecordForTree(top, merged.head, trust)
  if (verdict.kind !== 'green') return { reason: reasonOf(merged.head, verdict) }
  if (!(await judgedByTrunk(top, trunk, verdict.record)))
    return {
      reason: {
        kind: 'foreign-gate-file',
        commit: merged.head,
        text: `the gate record on ${merged.head.slice(0, 12)} was judged by a gate file ${trunk} never held (from ${verdict.record.trunk} ${verdict.record.trunkCommit.slice(0, 12)})`,
      },
    }
  if (await mergeAltered(top, merged.merge))
    return {
      reason: {
        kind: 'not-merged',
        commit: merged.merge,
        text: `merge ${merged.merge.slice(0, 12)} changes more than the branch it merges (conflicts resolved by hand, or an edited merge): that tree never went through the gate`,
      },
    }
  if (item.type === 'prevent') {
    const paths = await changedPaths(top, `${merged.merge}^1`, merged.merge)
    const addsTest = paths.some(isTestFile)
    if (!addsTest && !(await gateStepsChanged(top, `${merged.merge}^1`, merged.merge)))
      return {
        reason: {
          kind: 'no-test-change',
          commit: merged.merge,
          text: `the change merged by ${merged.merge.slice(0, 12)} adds or changes no test and no gate step: a prevent item needs one`,
        },
      }
  }
  const via: AcceptedRecord['via'] =
    verdict.recordCommit !== merged.head ? 'same-tree' : merged.head === commit ? 'own' : 'merged-branch-head'
  return { accepted: { closingCommit: commit, recordCommit: verdict.recordCommit, via } }
}
