import type { TrustedKeys } from '../ledger/trusted-keys.ts'
import { closingRecord } from './closing-record.ts'
import { findClosingCommits } from './find-closing-commits.ts'
import type { ItemReason, ItemVerdict, VerifiableItem } from './item-verdict.ts'

export interface VerifyActionItemsOptions {
  /** The repository's top-level directory. */
  repo: string
  trunk: string
  items: readonly VerifiableItem[]
  /** Today (UTC) is taken from it, for due dates. */
  now: Date
  /** The keys trunk trusts (its firedrill-gate.pub): records signed by others prove nothing. */
  trust: TrustedKeys
}

function offTrunkReasons(
  id: string,
  offTrunk: readonly { commit: string; branches: string[] }[],
): ItemReason[] {
  return offTrunk.map(({ commit, branches }) => {
    const where =
      branches.length > 0 ? `${branches.join(', ')} (${commit.slice(0, 12)})` : commit.slice(0, 12)
    return { kind: 'not-on-trunk', commit, text: `"Refs: ${id}" closed on ${where} which is not on trunk` }
  })
}

async function verifyItem(options: VerifyActionItemsOptions, item: VerifiableItem): Promise<ItemVerdict> {
  const { repo, trunk } = options
  const today = options.now.toISOString().slice(0, 10)
  const closing = await findClosingCommits(repo, trunk, item.id)
  const base = {
    id: item.id,
    title: item.title ?? '',
    owner: item.owner ?? '',
    dueDate: item.dueDate,
    claimed: item.status,
    closingCommits: closing.onTrunk,
  }

  if (item.status === 'done' || closing.onTrunk.length > 0) {
    const reasons: ItemReason[] = []
    for (const commit of closing.onTrunk) {
      const found = await closingRecord(repo, trunk, commit, item, options.trust)
      if ('accepted' in found)
        return { ...base, status: 'done', holds: true, accepted: found.accepted, reasons: [] }
      reasons.push(found.reason)
    }
    if (closing.onTrunk.length === 0) {
      reasons.push(
        ...(closing.offTrunk.length > 0
          ? offTrunkReasons(item.id, closing.offTrunk)
          : [{ kind: 'no-closing-commit' as const, text: `no commit on trunk carries "Refs: ${item.id}"` }]),
      )
    }
    return { ...base, status: 'done', holds: false, reasons }
  }

  if (item.dueDate < today) {
    return {
      ...base,
      status: 'overdue',
      holds: false,
      reasons: [
        { kind: 'overdue', text: `open past its due date ${item.dueDate} (today is ${today}, UTC)` },
        ...offTrunkReasons(item.id, closing.offTrunk),
      ],
    }
  }
  return { ...base, status: 'open', holds: true, reasons: [] }
}

/**
 * Holds every action item against the repository. A done item (the postmortem says so, or a trunk commit
 * carries its `Refs:` trailer) holds when a closing commit on trunk changed something and was merged through
 * the gate green, signed by a key trunk trusts (a prevent item's merge adding or changing a test or a gate
 * step); an open item holds until its due date (UTC) has passed, then it is overdue.
 */
export async function verifyActionItems(options: VerifyActionItemsOptions): Promise<ItemVerdict[]> {
  const verdicts: ItemVerdict[] = []
  for (const item of options.items) verdicts.push(await verifyItem(options, item))
  return verdicts
}
