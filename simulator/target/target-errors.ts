import { FiredrillError } from '../../services/platform/firedrill-error.ts'

/** Error codes of drilling a target. A code is never reused; add new ones at the end. */
export const TargetDrillErrorCode = {
  FLAGD_FILE_UNUSABLE: 'FIREDRILL_FLAGD_FILE_UNUSABLE',
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
