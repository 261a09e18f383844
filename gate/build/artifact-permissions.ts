import { chmod, lstat, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * Takes write permission away from every file under `dir`. Directories keep their owner's write permission, so
 * the user who made them can always remove a run with a plain `rm -rf`, even one whose drill was killed before it
 * could tidy up; a file added or edited anyway is caught by `verifyArtifact`. Links are left alone.
 */
export async function makeReadOnly(dir: string): Promise<void> {
  await walkChmod(dir, (mode, isDir) => (isDir ? (mode & ~0o022) | 0o200 : mode & ~0o222), 'after')
}

/**
 * Removes an artifact store (or one artifact): gives the owner write permission back, then deletes. Read-only
 * directories cannot be emptied otherwise, so `rm -rf` alone fails on them.
 */
export async function removeArtifacts(dir: string): Promise<void> {
  try {
    await walkChmod(dir, (mode) => mode | 0o200, 'before')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  await rm(dir, { recursive: true, force: true })
}

/**
 * Once nothing will run an artifact again (a drill has ended), gives its directories back their owner's write
 * permission so `rm -rf` can remove the run; its files stay read-only, and `verifyArtifact` still proves them.
 */
export async function allowRemoval(dir: string): Promise<void> {
  const walk = async (path: string): Promise<void> => {
    const stat = await lstat(path)
    if (!stat.isDirectory() || stat.isSymbolicLink()) return
    await chmod(path, (stat.mode & 0o7777) | 0o200)
    for (const entry of await readdir(path)) await walk(join(path, entry))
  }
  try {
    await walk(dir)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
}

async function walkChmod(
  path: string,
  change: (mode: number, isDir: boolean) => number,
  dirOrder: 'before' | 'after',
) {
  const stat = await lstat(path)
  if (stat.isSymbolicLink()) return
  if (!stat.isDirectory()) return chmod(path, change(stat.mode & 0o7777, false))
  if (dirOrder === 'before') await chmod(path, change(stat.mode & 0o7777, true))
  for (const entry of await readdir(path)) await walkChmod(join(path, entry), change, dirOrder)
  if (dirOrder === 'after') await chmod(path, change(stat.mode & 0o7777, true))
}
