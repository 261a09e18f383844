import { FiredrillError, FiredrillInputError } from '../services/platform/firedrill-error.ts'

/** Error codes of the postmortems part. A code is never reused. */
export const PostmortemErrorCode = {
  POSTMORTEM_INVALID: 'FIREDRILL_POSTMORTEM_INVALID',
  POSTMORTEM_WRITE_FAILED: 'FIREDRILL_POSTMORTEM_WRITE_FAILED',
  POSTMORTEM_UNREADABLE: 'FIREDRILL_POSTMORTEM_UNREADABLE',
} as const

/** A model that does not fit the postmortem schema: a bug in whatever built it. */
export class PostmortemInvalidError extends FiredrillError {
  constructor(detail: string) {
    super(PostmortemErrorCode.POSTMORTEM_INVALID, `The postmortem does not fit its schema: ${detail}.`)
  }
}

export class PostmortemWriteFailedError extends FiredrillError {
  constructor(dir: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    super(
      PostmortemErrorCode.POSTMORTEM_WRITE_FAILED,
      `Failed to write the postmortem into "${dir}": ${reason}. Check free disk space and permissions.`,
      { cause },
    )
  }
}

/** A postmortem file that cannot be read or is not JSON: exit 2. */
export class PostmortemUnreadableError extends FiredrillInputError {
  constructor(file: string, reason: string, cause?: unknown) {
    super(
      PostmortemErrorCode.POSTMORTEM_UNREADABLE,
      `Failed to read the postmortem "${file}": ${reason}. Pass a run's postmortem.json (or the postmortem.md beside it).`,
      cause === undefined ? {} : { cause },
    )
  }
}
