import { access, constants } from 'node:fs/promises'
import { join } from 'node:path'
import { readStepFile } from '../step-sandbox/read-step-file.ts'

/**
 * The TypeScript 7 compiler's own executable in a step's copy, for the typecheck to run directly:
 * `node_modules/.bin/tsc` is a node script that only starts it, and on Node 20 waits beside it (about 70 ms of
 * CPU a run). Found where TypeScript's own launcher looks (`@typescript/typescript-<platform>-<arch>/lib/tsc`,
 * beside the typescript package or above it). Undefined for TypeScript before 7, or without that package: the
 * step runs `.bin/tsc` then. Only a path, which runs in the step's sandbox like any tool of the commit's.
 */
export async function nativeTsc(
  stepDir: string,
  platform: string = process.platform,
  arch: string = process.arch,
): Promise<string | undefined> {
  const modules = join(stepDir, 'node_modules')
  const text = await readStepFile(join(modules, 'typescript', 'package.json'), 64 * 1024)
  if (text === undefined) return undefined
  let version: unknown
  try {
    version = (JSON.parse(text) as { version?: unknown }).version
  } catch {
    return undefined
  }
  if (typeof version !== 'string' || !(Number(version.split('.')[0]) >= 7)) return undefined
  for (const base of [join(modules, 'typescript', 'node_modules'), modules]) {
    const exe = join(base, '@typescript', `typescript-${platform}-${arch}`, 'lib', 'tsc')
    const found = await access(exe, constants.X_OK).then(
      () => true,
      () => false,
    )
    if (found) return exe
  }
  return undefined
}
