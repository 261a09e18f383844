import { git } from '../../record/git/git.ts'
import { isRedStep } from '../runner/gate-result.ts'
import { LEDGER_NOTES_REF, type ReadRecord, readRecord, recordedCommits } from './gate-ledger.ts'
import type { GateRecord } from './gate-record.ts'
import type { TrustedKeys } from './trusted-keys.ts'

export type TreeVerdict =
  | { kind: 'green'; record: GateRecord; recordCommit: string }
  | { kind: 'no-record'; why: string }
  | { kind: 'red'; record: GateRecord; why: string }
  | { kind: 'signature-invalid'; why: string }
  | { kind: 'untrusted-key'; why: string }

function redWhy(record: GateRecord): string {
  const red = record.steps.filter(isRedStep).map((s) => `${s.name} ${s.status}`)
  return `the gate is red (${red.join(', ') || 'no blocking step passed'})`
}

/**
 * Whether `commit`'s tree went through the gate green, by the keys trunk trusts. The commit's own record
 * decides when it has a valid one; otherwise a valid green record on any other commit with the very same tree
 * counts (a rebase or cherry-pick that changed nothing gated). Invalid records are never trusted, and said so:
 * one signed by a key trunk does not list is `untrusted-key`.
 */
export async function findGreenRecordForTree(
  top: string,
  commit: string,
  trust: TrustedKeys,
): Promise<TreeVerdict> {
  const tree = await git(top, ['rev-parse', `${commit}^{tree}`])
  const own = await readRecord(top, commit, trust)
  if (own.valid && own.record !== undefined) {
    if (own.record.green) return { kind: 'green', record: own.record, recordCommit: commit }
    return { kind: 'red', record: own.record, why: redWhy(own.record) }
  }
  for (const other of await recordedCommits(top)) {
    if (other === commit) continue
    const otherTree = await git(top, ['rev-parse', `${other}^{tree}`]).catch(() => '')
    if (otherTree !== tree) continue
    const found: ReadRecord = await readRecord(top, other, trust)
    if (found.valid && found.record?.green)
      return { kind: 'green', record: found.record, recordCommit: other }
  }
  if (own.present && own.kind === 'untrusted-key')
    return { kind: 'untrusted-key', why: `its gate record is not trusted: ${own.reason ?? 'unknown'}` }
  if (own.present)
    return { kind: 'signature-invalid', why: `its gate record is not valid: ${own.reason ?? 'unknown'}` }
  return {
    kind: 'no-record',
    why: `no gate record for it or its tree in ${LEDGER_NOTES_REF}; run firedrill gate --ref on it first`,
  }
}
