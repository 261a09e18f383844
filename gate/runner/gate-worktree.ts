import { mkdtemp, realpath, rm, stat, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { git } from '../../record/git/git.ts'

export interface GateWorktree {
  dir: string
  remove(): Promise<void>
}

/**
 * Checks `commit` out, detached, into a fresh worktree outside the repository, so the gate sees exactly what
 * was committed and never the work tree's uncommitted files. The repository's node_modules (resolved through
 * any symlink) is linked in, not reinstalled.
 */
export async function createGateWorktree(top: string, commit: string): Promise<GateWorktree> {
  const parent = await mkdtemp(join(tmpdir(), 'firedrill-gate-'))
  const dir = join(parent, 'tree')
  await git(top, ['worktree', 'add', '--detach', '--quiet', dir, commit])
  const remove = async () => {
    try {
      await git(top, ['worktree', 'remove', '--force', dir])
    } catch {
      // removed below; prune forgets it
    }
    await rm(parent, { recursive: true, force: true })
    await git(top, ['worktree', 'prune']).catch(() => {})
  }
  try {
    const modules = await realpath(join(top, 'node_modules'))
    if ((await stat(modules)).isDirectory()) {
      const target = join(dir, 'node_modules')
      const present = await stat(target).then(
        () => true,
        () => false,
      )
      if (!present) await symlink(modules, target, 'dir')
    }
  } catch {
    // no node_modules: steps that need tools report it
  }
  return { dir, remove }
}
