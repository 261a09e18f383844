import { resolve } from 'node:path'
import { git } from '../../record/git/git.ts'
import { NotARepositoryError, RefUnknownError } from '../gate-errors.ts'

export interface ResolvedCommit {
  /** The repository's top-level directory. */
  top: string
  commit: string
  tree: string
}

/** Resolves `ref` in the repository at `repo` to a commit and its tree; input errors name the dir or the ref. */
export async function resolveCommit(repo: string, ref: string): Promise<ResolvedCommit> {
  const dir = resolve(repo)
  let top: string
  try {
    top = await git(dir, ['rev-parse', '--show-toplevel'])
  } catch (err) {
    throw new NotARepositoryError(dir, err)
  }
  let commit: string
  let tree: string
  try {
    commit = await git(top, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])
    tree = await git(top, ['rev-parse', '--verify', '--quiet', `${commit}^{tree}`])
  } catch (err) {
    throw new RefUnknownError(ref, top, err)
  }
  return { top, commit, tree }
}
