import { FiredrillError } from '../services/platform/firedrill-error.ts'

/** Error codes of the gate part. A code is never reused. */
export const GateErrorCode = {
  GIT_FAILED: 'FIREDRILL_GATE_GIT_FAILED',
  PATCH_DOES_NOT_APPLY: 'FIREDRILL_GATE_PATCH_DOES_NOT_APPLY',
} as const

export class GitFailedError extends FiredrillError {
  constructor(args: readonly string[], stderr: string, cause?: unknown) {
    super(GateErrorCode.GIT_FAILED, `git ${args.join(' ')} failed: ${stderr.trim() || 'no output'}`, {
      cause,
    })
  }
}

export class PatchDoesNotApplyError extends FiredrillError {
  constructor(patch: string, detail: string) {
    super(
      GateErrorCode.PATCH_DOES_NOT_APPLY,
      `The change "${patch}" does not apply to the service repository: ${detail.trim()}. Regenerate it against the current services/ with git diff.`,
      { exitCode: 2 },
    )
  }
}
