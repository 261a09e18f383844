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
  /** The service's repository and gate file, when the target names them, with the change and fix it names. */
  readonly repo?: TargetRepo
}

/** `repo` with its paths resolved against the target file's folder. */
export interface TargetRepo {
  readonly dir: string
  readonly gateFile: string
  /** The commit, branch or tag that brought the flagged change (`repo.change`). */
  readonly change?: string
  /** The fix: a patch file (absolute) or a branch of the repository (`repo.fix`). */
  readonly fix?: { readonly patch: string } | { readonly branch: string }
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
    ...(target.repo === undefined ? {} : { repo: resolveRepo(dir, target.repo) }),
  })
}

function resolveRepo(dir: string, repo: NonNullable<ValidTarget['repo']>): TargetRepo {
  const { fix, change } = repo
  return Object.freeze({
    dir: resolve(dir, repo.path),
    gateFile: repo.gateFile,
    ...(change === undefined ? {} : { change }),
    ...(fix?.patch !== undefined
      ? { fix: Object.freeze({ patch: resolve(dir, fix.patch) }) }
      : fix?.branch !== undefined
        ? { fix: Object.freeze({ branch: fix.branch }) }
        : {}),
  })
}
