import { cp, mkdtemp, realpath, rm, stat, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import { git } from '../../record/git/git.ts'

export interface ThrowawayCopy {
  dir: string
  remove(): Promise<void>
}

/**
 * A copy of the repository at `top` to try things in, so grading never changes the repository it grades: its
 * whole git directory (history, ledger notes, signing key, hooks, config), `ref` checked out, and its
 * node_modules linked. The copy lives in a fresh temporary directory that `remove` deletes.
 */
export async function throwawayCopy(top: string, ref: string): Promise<ThrowawayCopy> {
  const parent = await mkdtemp(join(tmpdir(), 'firedrill-grade-'))
  const dir = join(parent, 'repo')
  const remove = () => rm(parent, { recursive: true, force: true })
  try {
    const common = await git(top, ['rev-parse', '--git-common-dir'])
    await cp(isAbsolute(common) ? common : join(top, common), join(dir, '.git'), {
      recursive: true,
      verbatimSymlinks: true,
    })
    await git(dir, ['config', '--unset', 'core.worktree']).catch(() => {})
    await git(dir, ['config', 'core.bare', 'false'])
    // The original's worktrees are not the copy's: forget them, so any branch can be checked out here.
    await rm(join(dir, '.git', 'worktrees'), { recursive: true, force: true })
    await git(dir, ['checkout', '-q', '-f', ref])
    await git(dir, ['reset', '-q', '--hard'])
    const modules = await realpath(join(top, 'node_modules')).catch(() => null)
    if (modules !== null && (await stat(modules)).isDirectory())
      await symlink(modules, join(dir, 'node_modules'), 'dir')
    return { dir, remove }
  } catch (err) {
    await remove()
    throw err
  }
}
