import { dirname, resolve } from 'node:path'
import { openScenarioFile } from '../scenario/open-scenario-file.ts'
import { parseTarget, type ValidTarget } from './parse-target.ts'
import { TargetNotFoundError, TargetUnreadableError } from './target-errors.ts'

/** A target file is refused past this size: it is a short hand-written file. */
export const MAX_TARGET_BYTES = 64 * 1024

/** A validated target, where it came from, and the paths it names resolved against its folder. */
export interface LoadedTarget {
  readonly file: string
  readonly dir: string
  readonly target: ValidTarget
  /** Every instance's base URL (the one `service.url`, or `service.instances`), without a trailing slash. */
  readonly instances: readonly string[]
  /** The flagd flags file, when the flags are in one. */
  readonly flagsFile?: string
  /** The service's repository and gate file, when the target names them. */
  readonly repo?: { readonly dir: string; readonly gateFile: string }
}

/**
 * Loads a target file (YAML). A missing, unreadable, oversized or non-UTF-8 file, bad YAML or a wrong field is a
 * `FiredrillInputError` (exit 2) naming the file and the field. Nothing is contacted: `target check` does that.
 */
export async function loadTarget(path: string): Promise<LoadedTarget> {
  const file = resolve(path)
  const read = await openScenarioFile(file, { maxBytes: MAX_TARGET_BYTES })
  if (!read.ok) {
    const { problem } = read
    switch (problem.kind) {
      case 'missing':
        throw new TargetNotFoundError(path)
      case 'not-regular':
        throw new TargetUnreadableError(path, `it is a ${problem.what}, not a regular file`)
      case 'too-large':
        throw new TargetUnreadableError(
          path,
          `it is ${problem.bytes} bytes, more than the ${problem.limit}-byte limit for a target file`,
        )
      default:
        throw new TargetUnreadableError(
          path,
          String(problem.kind === 'unreadable' ? problem.cause : problem.kind),
          problem,
        )
    }
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(read.bytes)
  } catch (err) {
    throw new TargetUnreadableError(path, 'it is not UTF-8 text; save it as UTF-8', err)
  }
  const target = parseTarget(text.replace(/^\uFEFF/, ''), path)
  const dir = dirname(file)
  const { url, instances } = target.service
  const source = target.flags.source
  return Object.freeze({
    file,
    dir,
    target,
    instances: Object.freeze((instances ?? [url!]).map((u) => u.replace(/\/+$/, ''))),
    ...(source.kind === 'flagd' ? { flagsFile: resolve(dir, source.file) } : {}),
    ...(target.repo === undefined
      ? {}
      : { repo: Object.freeze({ dir: resolve(dir, target.repo.path), gateFile: target.repo.gateFile }) }),
  })
}
