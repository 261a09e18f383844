import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { git } from '../../record/git/git.ts'

/**
 * A digest of everything grading could change in a repository: its refs (ledger notes included), its work tree
 * (ignored and untracked files too), its stashes, config, HEAD, index, and which files and hooks `.git` holds.
 */
export async function repositoryState(repo: string): Promise<string> {
  const hash = createHash('sha256')
  hash.update(await git(repo, ['for-each-ref', '--format=%(refname) %(objectname)']))
  hash.update(await git(repo, ['status', '--porcelain', '--ignored', '--untracked-files=all']))
  hash.update(await git(repo, ['stash', 'list']))
  for (const name of ['config', 'HEAD', 'index']) hash.update(await readFile(join(repo, '.git', name)))
  for (const dir of ['.git', join('.git', 'hooks')])
    hash.update((await readdir(join(repo, dir))).sort().join(','))
  return hash.digest('hex')
}
