import { FiredrillError, FiredrillInputError } from '../platform/firedrill-error.ts'

/**
 * Error codes of the flags part. A code is never reused. A broken flags file raises the platform's
 * `FlagsFileInvalidError` (`FIREDRILL_FLAGS_FILE_INVALID`).
 */
export const FlagsErrorCode = {
  FLAG_NOT_FOUND: 'FIREDRILL_FLAG_NOT_FOUND',
  FLAG_CHANGE_INVALID: 'FIREDRILL_FLAG_CHANGE_INVALID',
  FLAGS_SYNC_FAILED: 'FIREDRILL_FLAGS_SYNC_FAILED',
  FLAGS_HTTP_FAILED: 'FIREDRILL_FLAGS_HTTP_FAILED',
  /** HTTP: a flag change without the right bearer token. */
  FLAGS_UNAUTHORIZED: 'FIREDRILL_FLAGS_UNAUTHORIZED',
  /** HTTP: a request that does not match its route's schema. */
  FLAGS_REQUEST_INVALID: 'FIREDRILL_FLAGS_REQUEST_INVALID',
} as const

export class FlagNotFoundError extends FiredrillInputError {
  readonly flag: string

  constructor(flag: string, known: readonly string[]) {
    super(
      FlagsErrorCode.FLAG_NOT_FOUND,
      `There is no flag "${flag}". Known flags: ${known.length > 0 ? known.join(', ') : '(none)'}.`,
    )
    this.flag = flag
  }
}

/** A flag change that cannot be applied; `field` names the part of the change at fault. */
export class FlagChangeInvalidError extends FiredrillInputError {
  readonly flag: string
  readonly field: string

  constructor(flag: string, field: string, detail: string) {
    super(FlagsErrorCode.FLAG_CHANGE_INVALID, `Cannot change flag "${flag}": ${field} ${detail}`)
    this.flag = flag
    this.field = field
  }
}

/** The provider could not load the flag definitions from Redis (at start, within its timeout). */
export class FlagsSyncFailedError extends FiredrillError {
  constructor(detail: string, cause?: unknown) {
    super(
      FlagsErrorCode.FLAGS_SYNC_FAILED,
      `Could not load the flag definitions from Redis: ${detail}. Check that Redis answers at the URL given.`,
      { cause },
    )
  }
}

/** The flags HTTP API answered with an error (or not at all); `status` is the HTTP status, 0 if none. */
export class FlagsHttpError extends FiredrillError {
  readonly status: number
  readonly body: unknown

  constructor(method: string, url: string, status: number, body: unknown, cause?: unknown) {
    const said = body && typeof body === 'object' && 'message' in body ? `: ${String(body.message)}` : ''
    super(
      FlagsErrorCode.FLAGS_HTTP_FAILED,
      status === 0
        ? `${method} ${url} got no answer (${(cause as Error | undefined)?.message ?? 'unknown error'}). Is the flags service running?`
        : `${method} ${url} answered ${status}${said}`,
      { cause },
    )
    this.status = status
    this.body = body
  }
}
