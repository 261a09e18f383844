import { readFile } from 'node:fs/promises'
import { isAbsolute, join, resolve } from 'node:path'
import { git } from '../../record/git/git.ts'
import { findGreenRecordForTree, type TreeVerdict } from '../ledger/find-green-record.ts'
import { loadTrustedKeys } from '../ledger/trusted-keys.ts'

export interface MergedHead {
  commit: string
  /** How the merge names it (`feature`), when it does. */
  name?: string
  verdict: TreeVerdict
}

export interface MergeInProgress {
  /** The branch checked out, which the merge moves. */
  branch: string
  /** The heads being merged in; empty when no merge is in progress. */
  heads: MergedHead[]
  /** Every merged head went through the gate green. */
  allowed: boolean
}

/**
 * The heads a merge in progress brings in: while `git merge` runs its hooks, the `GITHEAD_<commit>=<name>`
 * variables it sets; when a merge is committed after resolving conflicts, `MERGE_HEAD`.
 */
async function headsInProgress(
  top: string,
  env: NodeJS.ProcessEnv,
): Promise<Map<string, string | undefined>> {
  const heads = new Map<string, string | undefined>()
  for (const [key, value] of Object.entries(env)) {
    const match = /^GITHEAD_([0-9a-f]{40,64})$/.exec(key)
    if (match !== null) heads.set(match[1]!, value)
  }
  const path = await git(top, ['rev-parse', '--git-path', 'MERGE_HEAD'])
  const text = await readFile(isAbsolute(path) ? path : join(top, path), 'utf8').catch(() => '')
  for (const line of text.split('\n')) {
    const commit = line.trim()
    if (commit !== '' && !heads.has(commit)) heads.set(commit, undefined)
  }
  return heads
}

/**
 * Judges the merge in progress in the repository at `repo` (what `git merge` is about to commit): allowed only
 * when every head it merges in has a valid green gate record for its tree, as `firedrill merge` requires.
 */
export async function checkMergeInProgress(
  repo: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<MergeInProgress> {
  const top = await git(resolve(repo), ['rev-parse', '--show-toplevel'])
  const branch = await git(top, ['symbolic-ref', '--quiet', '--short', 'HEAD']).catch(() => 'HEAD')
  const heads: MergedHead[] = []
  // The keys trunk trusts as it stands before this merge (HEAD), never the incoming branch's.
  const trust = await loadTrustedKeys(top, 'HEAD')
  for (const [commit, name] of await headsInProgress(top, env)) {
    const verdict = await findGreenRecordForTree(top, commit, trust)
    heads.push({ commit, ...(name === undefined || name === commit ? {} : { name }), verdict })
  }
  return { branch, heads, allowed: heads.every((h) => h.verdict.kind === 'green') }
}
