import { constants } from 'node:fs'
import { copyFile, open } from 'node:fs/promises'
import { join } from 'node:path'
import { git } from '../../record/git/git.ts'
import { writeFileAtomically } from '../../services/platform/write-file-atomically.ts'

/** The incremental state's name inside a typecheck step's copy: tsc reads and writes it there. */
export const BUILD_INFO = '.firedrill-gate.tsbuildinfo'

/** Larger than this, a build info file is not kept. */
const MAX_BYTES = 64 * 1024 * 1024

/**
 * Where a repository keeps a typecheck step's incremental state between gate runs: inside its git directory
 * (`firedrill/typecheck/<step>.tsbuildinfo`), which no sandboxed step can reach.
 */
export async function typecheckCacheFile(repo: string, stepName: string): Promise<string> {
  const common = (await git(repo, ['rev-parse', '--path-format=absolute', '--git-common-dir'])).trim()
  return join(common, 'firedrill', 'typecheck', `${stepName.replace(/[^A-Za-z0-9._-]/g, '-')}.tsbuildinfo`)
}

/** Puts the kept state into the step's copy; nothing when there is none yet. */
export async function restoreTypecheckCache(cacheFile: string, stepDir: string): Promise<void> {
  await copyFile(cacheFile, join(stepDir, BUILD_INFO)).catch(() => {})
}

/**
 * Keeps the state tsc left in the step's copy for the next run: only a regular file (not a link, not a FIFO),
 * bounded, written whole. tsc wrote it itself: the gate runs it with `--noEmit`, so nothing the commit says
 * can make tsc write anything else there. Best effort: a state that cannot be kept only makes the next run
 * slower.
 */
export async function saveTypecheckCache(stepDir: string, cacheFile: string): Promise<void> {
  try {
    const handle = await open(
      join(stepDir, BUILD_INFO),
      constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
    )
    try {
      const stat = await handle.stat()
      if (!stat.isFile() || stat.size > MAX_BYTES) return
      await writeFileAtomically(cacheFile, await handle.readFile('utf8'))
    } finally {
      await handle.close()
    }
  } catch {
    // the next run starts cold
  }
}
