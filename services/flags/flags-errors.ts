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
  /** Lifecycle: a transition that goes backward, skips a stage or stays put. */
  FLAG_TRANSITION_INVALID: 'FIREDRILL_FLAG_TRANSITION_INVALID',
  /** Lifecycle: archiving a flag whose key code still refers to. */
  FLAG_STILL_REFERENCED: 'FIREDRILL_FLAG_STILL_REFERENCED',
  /** HTTP 503: the flag store (Redis) cannot be reached, so a change cannot be made now. */
  FLAG_STORE_UNAVAILABLE: 'FIREDRILL_FLAG_STORE_UNAVAILABLE',
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

/** A lifecycle transition other than active → completed → archived, one stage at a time. */
export class FlagTransitionInvalidError extends FiredrillInputError {
  readonly flag: string
  readonly from: string
  readonly to: string

  constructor(flag: string, from: string, to: string, allowed: string | undefined) {
    super(
      FlagsErrorCode.FLAG_TRANSITION_INVALID,
      `Cannot move flag "${flag}" from ${from} to ${to}: a flag goes active → completed → archived, one stage at a time, never back. ` +
        (allowed === undefined
          ? `It is ${from} already, the last stage: remove it from the flags file when its ticket closes.`
          : `Its next stage is ${allowed}.`),
    )
    this.flag = flag
    this.from = from
    this.to = to
  }
}

/** Archiving refused: code still refers to the flag's key (`files` names where). */
export class FlagStillReferencedError extends FiredrillInputError {
  readonly flag: string
  readonly files: readonly string[]

  constructor(flag: string, files: readonly string[]) {
    const shown = files.slice(0, 5).join(', ') + (files.length > 5 ? `, and ${files.length - 5} more` : '')
    super(
      FlagsErrorCode.FLAG_STILL_REFERENCED,
      `Cannot archive flag "${flag}": code still refers to it (${shown}). Remove its code path in a cleanup change through the gate, then archive it.`,
    )
    this.flag = flag
    this.files = files
  }
}

/** The flag store (Redis) did not answer: nothing was changed. The flags service answers 503 with this. */
export class FlagStoreUnavailableError extends FiredrillError {
  readonly statusCode = 503

  constructor(flag: string, cause: unknown) {
    super(
      FlagsErrorCode.FLAG_STORE_UNAVAILABLE,
      `Flag "${flag}" was not changed: the flag store (Redis) is unreachable (${(cause as Error | undefined)?.message ?? 'no answer'}). ` +
        'Evaluation keeps serving the last known values; try again once Redis is back (the flags service writes its definitions back by itself if Redis comes back empty).',
      { cause },
    )
  }
}
