import { createHash } from 'node:crypto'
import { constants } from 'node:fs'
import { copyFile, mkdir, rm } from 'node:fs/promises'
import { dirname, isAbsolute, join } from 'node:path'
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
 * Where this user's gate runs keep one typecheck state per step name and project (see `typecheckProject`) for a
 * repository's first run to start from (`$XDG_CACHE_HOME/firedrill/typecheck/`, default `~/.cache/`): outside
 * every repository and every step's reach, written only from what tsc itself left, like a repository's own. A
 * state from another repository is only a head start: tsc checks again every file whose text differs, and every
 * file that depends on one. Undefined when neither variable names an absolute directory.
 */
export function typecheckSeedFile(
  stepName: string,
  project: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const xdg = env.XDG_CACHE_HOME
  const base =
    xdg !== undefined && isAbsolute(xdg)
      ? xdg
      : env.HOME !== undefined && isAbsolute(env.HOME)
        ? join(env.HOME, '.cache')
        : undefined
  return base === undefined
    ? undefined
    : join(
        base,
        'firedrill',
        'typecheck',
        `${stepName.replace(/[^A-Za-z0-9._-]/g, '-')}-${createHash('sha256').update(project).digest('hex').slice(0, 16)}.tsbuildinfo`,
      )
}

/**
 * What names a seed: the step copy's `tsconfig.json` and `package.json`, so repositories built alike (every
 * drill's copy of the shop) share one, and others do not crowd it out. Only a name: what is in the seed is tsc's.
 */
export async function typecheckProject(stepDir: string): Promise<string> {
  const read = (name: string) => readStepFile(join(stepDir, name), 1024 * 1024).catch(() => undefined)
  return `${(await read('tsconfig.json')) ?? ''}\n${(await read('package.json')) ?? ''}`
}

/**
 * Readies the step's copy for tsc: whatever the commit put at `BUILD_INFO` (build info forged to say its code is
 * clean, a link out of the copy) is removed, then the kept state is put there: the repository's own, else the
 * user's seed, when there is one. tsc trusts what it finds there, so nothing the commit brings may be it.
 */
export async function prepareBuildInfo(
  stepDir: string,
  cacheFile: string | undefined,
  seedFile?: string,
): Promise<void> {
  const target = join(stepDir, BUILD_INFO)
  await rm(target, { force: true, recursive: true })
  for (const kept of [cacheFile, seedFile]) {
    if (kept === undefined) continue
    try {
      await copyFile(kept, target, constants.COPYFILE_EXCL)
      return
    } catch {
      // not kept yet: the next one, or a cold run
    }
  }
}

/**
 * Keeps the state tsc left in the step's copy for the next run: only a regular file, bounded, written whole.
 * tsc wrote it itself: the gate runs it with `--noEmit` and this path, so nothing the commit says can make tsc
 * write anything else there. Best effort: a state that cannot be kept only makes the next run slower.
 */
export async function saveTypecheckCache(stepDir: string, ...cacheFiles: string[]): Promise<void> {
  const text = await readStepFile(join(stepDir, BUILD_INFO), MAX_BYTES)
  if (text === undefined) return
  for (const file of cacheFiles) {
    await mkdir(dirname(file), { recursive: true }).catch(() => {})
    await writeFileAtomically(file, text).catch(() => {})
  }
}
