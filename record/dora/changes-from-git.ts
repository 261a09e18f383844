import { realpath } from 'node:fs/promises'
import { git } from '../git/git.ts'
import type { DoraChange } from './dora-events.ts'

/** A repository and the branch whose history counts as its trunk. */
export interface TrunkHistory {
  repoDir: string
  trunk: string
}

/** `source` of the changes read from git. */
export const GIT_SOURCE = 'git'

/**
 * Why `repoDir` cannot give `trunk`'s history, or null when it can: `not-a-repository` when it is not the top
 * of a git work tree (a folder inside another repository does not count), `no-trunk` when `trunk` names no
 * commit there.
 */
export async function trunkProblem(
  repoDir: string,
  trunk: string,
): Promise<'not-a-repository' | 'no-trunk' | null> {
  const top = await git(repoDir, ['rev-parse', '--show-toplevel']).catch(() => null)
  const here = await realpath(repoDir).catch(() => null)
  if (top === null || here === null || (await realpath(top).catch(() => null)) !== here)
    return 'not-a-repository'
  const found = await git(repoDir, ['rev-parse', '--verify', '--quiet', `${trunk}^{commit}`]).catch(
    () => null,
  )
  return found === null ? 'no-trunk' : null
}

/** Parses `git log --format='%H %cI'` lines into changes, times as UTC ISO instants. */
function parseLog(text: string): DoraChange[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [sha, date] = line.trim().split(' ')
      return { change_id: sha!, time_created: new Date(date!).toISOString(), source: GIT_SOURCE }
    })
}

/**
 * Every non-merge commit reachable from `trunk` in `repoDir`, newest first, as a change: its full sha and
 * its committer date. Git's own failure (no such repository or branch) is a `GitFailedError`; check with
 * `trunkProblem` first to report it as input.
 */
export async function changesFromGit(repoDir: string, trunk: string): Promise<DoraChange[]> {
  return parseLog(await git(repoDir, ['log', '--no-merges', '--format=%H %cI', trunk, '--']))
}

/**
 * The non-merge commits reachable from `commit` and not from `previous` (every commit reachable from
 * `commit` when `previous` is null), newest first, as changes.
 */
export async function changesBetween(
  repoDir: string,
  commit: string,
  previous: string | null,
): Promise<DoraChange[]> {
  const range = previous === null ? [commit] : [commit, `^${previous}`]
  return parseLog(await git(repoDir, ['log', '--no-merges', '--format=%H %cI', ...range, '--']))
}

/** Whether `repoDir` holds `commit` as a commit object. */
export async function hasCommit(repoDir: string, commit: string): Promise<boolean> {
  return git(repoDir, ['cat-file', '-e', `${commit}^{commit}`]).then(
    () => true,
    () => false,
  )
}
