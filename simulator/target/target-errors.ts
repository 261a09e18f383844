import { FiredrillError, FiredrillInputError } from '../../services/platform/firedrill-error.ts'

/** Error codes of drilling a target. A code is never reused; add new ones at the end. */
export const TargetDrillErrorCode = {
  FLAGD_FILE_UNUSABLE: 'FIREDRILL_FLAGD_FILE_UNUSABLE',
  FLIP_COMMAND_FAILED: 'FIREDRILL_FLIP_COMMAND_FAILED',
  TARGET_REPO_NOT_READY: 'FIREDRILL_TARGET_REPO_NOT_READY',
} as const

/** The team's flagd flags file cannot be read or does not hold the flag (or its variants) a release needs. */
export class FlagdFileUnusableError extends FiredrillError {
  constructor(file: string, detail: string, cause?: unknown) {
    super(
      TargetDrillErrorCode.FLAGD_FILE_UNUSABLE,
      `Cannot change flags file "${file}": ${detail}. It was left as it was; \`firedrill target check\` checks it.`,
      { cause },
    )
  }
}

/** The target's flip command (flags.source.flip) did not run, failed or took too long. */
export class FlipCommandFailedError extends FiredrillError {
  constructor(argv: readonly string[], detail: string, cause?: unknown) {
    super(
      TargetDrillErrorCode.FLIP_COMMAND_FAILED,
      `The flip command \`${argv.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}\` (flags.source.flip) ${detail}. Run it by hand to see why.`,
      { cause },
    )
  }
}

/** The repository a target names (`repo`) cannot carry the loop: refused before anything changes. */
export class TargetRepoNotReadyError extends FiredrillInputError {
  constructor(file: string, failed: readonly { name: string; message: string }[]) {
    super(
      TargetDrillErrorCode.TARGET_REPO_NOT_READY,
      `Target "${file}" names a repository the loop cannot use:\n` +
        failed.map((f) => `  - ${f.name}: ${f.message}`).join('\n') +
        '\nNothing was changed. Fix these and run again (firedrill target check shows every check).',
    )
  }
}
