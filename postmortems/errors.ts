import { FiredrillError } from '../services/platform/firedrill-error.ts'

/** Error codes of the postmortems part. A code is never reused. */
export const PostmortemErrorCode = {
  POSTMORTEM_INVALID: 'FIREDRILL_POSTMORTEM_INVALID',
  POSTMORTEM_WRITE_FAILED: 'FIREDRILL_POSTMORTEM_WRITE_FAILED',
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
