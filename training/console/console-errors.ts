import { FiredrillError, FiredrillInputError } from '../../services/platform/firedrill-error.ts'

/** Error codes of the training console's API. A code is never reused; add new ones at the end. */
export const ConsoleErrorCode = {
  CONSOLE_UNAUTHORIZED: 'FIREDRILL_CONSOLE_UNAUTHORIZED',
  CONSOLE_INVALID: 'FIREDRILL_CONSOLE_INVALID',
  CONSOLE_UNKNOWN_FLAG: 'FIREDRILL_CONSOLE_UNKNOWN_FLAG',
  CONSOLE_NOT_YET: 'FIREDRILL_CONSOLE_NOT_YET',
  CONSOLE_DRILL_OVER: 'FIREDRILL_CONSOLE_DRILL_OVER',
  CONSOLE_FLAGS_REFUSED: 'FIREDRILL_CONSOLE_FLAGS_REFUSED',
  CONSOLE_FAILED: 'FIREDRILL_CONSOLE_FAILED',
  CONSOLE_ROLLBACK_REFUSED: 'FIREDRILL_CONSOLE_ROLLBACK_REFUSED',
  CONSOLE_PORT_UNAVAILABLE: 'FIREDRILL_CONSOLE_PORT_UNAVAILABLE',
  CONSOLE_PAUSED: 'FIREDRILL_CONSOLE_PAUSED',
  CONSOLE_NOT_PAUSED: 'FIREDRILL_CONSOLE_NOT_PAUSED',
  CONSOLE_QUEUE_REFUSED: 'FIREDRILL_CONSOLE_QUEUE_REFUSED',
} as const

export type ConsoleErrorCode = (typeof ConsoleErrorCode)[keyof typeof ConsoleErrorCode]

/** A console action refused, with the HTTP status it answers and a message saying what to do. */
export class ConsoleActionError extends FiredrillError {
  constructor(
    code: ConsoleErrorCode,
    message: string,
    readonly statusCode: number,
  ) {
    super(code, message)
  }
}

/** The console could not listen on the port asked for (in use, or not ours to take): a usage error, exit 2. */
export class ConsolePortUnavailableError extends FiredrillInputError {
  constructor(port: number, reason: string) {
    super(
      ConsoleErrorCode.CONSOLE_PORT_UNAVAILABLE,
      `The console cannot listen on 127.0.0.1:${port} (${reason}). Pass another --port, or leave it out to take a free one.`,
    )
  }
}
