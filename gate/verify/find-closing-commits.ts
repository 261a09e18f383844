import { git } from '../../record/git/git.ts'
import { refsTrailerIds } from './refs-trailer.ts'

export interface OffTrunkCommit {
  commit: string
  /** Local and remote branches that hold it (empty when only a tag or nothing names it). */
  branches: string[]
}

export interface ClosingCommits {
  /** Commits reachable from trunk whose `Refs:` trailer names the item, newest first. */
  onTrunk: string[]
  /** Commits on other branches (or tags) that name it but are not reachable from trunk. */
  offTrunk: OffTrunkCommit[]
}

const FORMAT = '--format=%H%x00%(trailers:key=Refs,valueonly,separator=%x2C)%x1e'

async function commitsNaming(top: string, revs: readonly string[], itemId: string): Promise<string[]> {
  const out = await git(top, ['log', ...revs, FORMAT])
  const found: string[] = []
  for (const entry of out.split('\x1e')) {
    const [commit, values] = entry.trim().split('\0')
    if (commit === undefined || commit === '' || values === undefined) continue
    if (refsTrailerIds(values).includes(itemId)) found.push(commit)
  }
  return found
}

/**
 * The commits that close `itemId` with a `Refs: <itemId>` trailer: those on trunk, and those anywhere else
 * (branches, remotes, tags; never the ledger's notes) that trunk does not hold, with the branches holding them.
 */
export async function findClosingCommits(
  top: string,
  trunk: string,
  itemId: string,
): Promise<ClosingCommits> {
  const onTrunk = await commitsNaming(top, [trunk], itemId)
  const elsewhere = await commitsNaming(top, ['--branches', '--remotes', '--tags', '--not', trunk], itemId)
  const offTrunk: OffTrunkCommit[] = []
  for (const commit of elsewhere) {
    const list = await git(top, ['branch', '--all', '--contains', commit, '--format=%(refname:short)'])
    offTrunk.push({
      commit,
      branches: list
        .split('\n')
        .map((b) => b.trim())
        .filter((b) => b !== ''),
    })
  }
  return { onTrunk, offTrunk }
}
