import { constants } from 'node:fs'
import { copyFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { git } from '../../record/git/git.ts'
import { writeFileAtomically } from '../../services/platform/write-file-atomically.ts'
import { readStepFile } from '../step-sandbox/read-step-file.ts'

/** The incremental state's name inside a typecheck step's copy: tsc reads and writes it there, and only there. */
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

/**
 * Readies the step's copy for tsc: whatever the commit put at `BUILD_INFO` (build info forged to say its code is
 * clean, a link out of the copy) is removed, then the kept state, when there is one, is put there. tsc trusts
 * what it finds there, so nothing the commit brings may be it.
 */
export async function prepareBuildInfo(stepDir: string, cacheFile: string | undefined): Promise<void> {
  const target = join(stepDir, BUILD_INFO)
  await rm(target, { force: true, recursive: true })
  if (cacheFile !== undefined) await copyFile(cacheFile, target, constants.COPYFILE_EXCL).catch(() => {})
}

/**
 * Keeps the state tsc left in the step's copy for the next run: only a regular file, bounded, written whole.
 * tsc wrote it itself: the gate runs it with `--noEmit` and this path, so nothing the commit says can make tsc
 * write anything else there. Best effort: a state that cannot be kept only makes the next run slower.
 */
export async function saveTypecheckCache(stepDir: string, cacheFile: string): Promise<void> {
  const text = await readStepFile(join(stepDir, BUILD_INFO), MAX_BYTES)
  if (text !== undefined) await writeFileAtomically(cacheFile, text).catch(() => {})
}
