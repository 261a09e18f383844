import { findGreenRecordForTree, type TreeVerdict } from '../../../gate/ledger/find-green-record.ts'
import { loadTrustedKeys } from '../../../gate/ledger/trusted-keys.ts'
import { git } from '../../../record/git/git.ts'
import { eventsOf } from '../../../record/journal/journal-event.ts'
import type { CapstoneRun } from '../grade-context.ts'

/** A merge into trunk and the verdict on the head it brought in. */
export interface JudgedMerge {
  /** Which repository: the capstone, or a run's sandbox. */
  where: string
  merge: string
  head: string
  verdict: TreeVerdict
}

/** Every merge on trunk's first-parent line, with the heads it brought in (its second and later parents). */
export async function firstParentMerges(
  repo: string,
  trunk: string,
): Promise<{ merge: string; heads: string[] }[]> {
  const out = await git(repo, ['rev-list', '--first-parent', '--merges', '--parents', trunk])
  return out
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [merge, , ...heads] = line.split(' ')
      return { merge: merge!, heads }
    })
}

/** The capstone's merges into trunk, each head judged in `copy` (a throwaway copy of the capstone). */
export async function judgeCapstoneMerges(copy: string, trunk: string): Promise<JudgedMerge[]> {
  const judged: JudgedMerge[] = []
  // Trunk's own firedrill-gate.pub says which signers count, as `firedrill merge` reads it.
  const trust = await loadTrustedKeys(copy, trunk)
  for (const { merge, heads } of await firstParentMerges(copy, trunk))
    for (const head of heads)
      judged.push({
        where: 'capstone',
        merge,
        head,
        verdict: await findGreenRecordForTree(copy, head, trust),
      })
  return judged
}

/** The merges a run's journal records (the change, the fix, the close-out), each judged in `copy` of its sandbox. */
export async function judgeRunMerges(run: CapstoneRun, copy: string, trunk: string): Promise<JudgedMerge[]> {
  const merges = [
    ...eventsOf(run.events, 'change.merged'),
    ...eventsOf(run.events, 'fix.merged'),
    ...eventsOf(run.events, 'cleanup.merged'),
  ]
  const judged: JudgedMerge[] = []
  const trust = await loadTrustedKeys(copy, trunk)
  for (const event of merges) {
    const { commit, trunk } = event.data
    judged.push({
      where: `run ${run.id}`,
      merge: trunk,
      head: commit,
      verdict: await findGreenRecordForTree(copy, commit, trust),
    })
  }
  return judged
}
