import { FiredrillError, FiredrillInputError } from '../../services/platform/firedrill-error.ts'

/** Error codes of the simulator part (the drill). A code is never reused; add new ones at the end. */
export const SimulatorErrorCode = {
  DRILL_NOT_READY: 'FIREDRILL_DRILL_NOT_READY',
  DRILL_OUT_NOT_EMPTY: 'FIREDRILL_DRILL_OUT_NOT_EMPTY',
  DEPLOYS_REQUEST_FAILED: 'FIREDRILL_DEPLOYS_REQUEST_FAILED',
  QUEUE_REQUEST_FAILED: 'FIREDRILL_QUEUE_REQUEST_FAILED',
  QUEUE_ALREADY_THERE: 'FIREDRILL_QUEUE_ALREADY_THERE',
} as const

export type SimulatorErrorCode = (typeof SimulatorErrorCode)[keyof typeof SimulatorErrorCode]

export class DrillNotReadyError extends FiredrillError {
  constructor(failed: readonly { name: string; message: string }[]) {
    super(
      SimulatorErrorCode.DRILL_NOT_READY,
      `The drill cannot start: ${failed.length} preflight check(s) failed.\n` +
        failed.map((f) => `  - ${f.name}: ${f.message}`).join('\n') +
        '\nNothing was changed. Fix these and run again (firedrill plan shows the checks).',
      { exitCode: 1 },
    )
  }
}

export class DrillOutNotEmptyError extends FiredrillInputError {
  constructor(dir: string) {
    super(
      SimulatorErrorCode.DRILL_OUT_NOT_EMPTY,
      `The output directory "${dir}" already holds a run (journal.jsonl). Pass --out with a new directory, or leave --out unset for a fresh one.`,
    )
  }
}

/** The drill's deploys API refused a request or could not be reached; the message says what it answered. */
export class DeploysRequestFailedError extends FiredrillError {
  readonly status: number | null

  constructor(url: string, status: number | null, message: string) {
    super(
      SimulatorErrorCode.DEPLOYS_REQUEST_FAILED,
      status === null
        ? `The deploys API at ${url} did not answer (${message}). Is the drill still running? Its page prints the URL.`
        : `The deploys API at ${url} answered ${status}: ${message}`,
    )
    this.status = status
  }
}

/** The drill's queue control refused a request or could not be reached; the message says what it answered. */
export class QueueRequestFailedError extends FiredrillError {
  readonly status: number | null

  constructor(url: string, status: number | null, message: string) {
    super(
      SimulatorErrorCode.QUEUE_REQUEST_FAILED,
      status === null
        ? `The queue control at ${url} did not answer (${message}). Is the drill still running? Its page prints the URL.`
        : `The queue control at ${url} answered ${status}: ${message}`,
    )
    this.status = status
  }
}

/** A pause of a queue already paused, or a resume of one already running: nothing to do, and said so. */
export class QueueAlreadyThereError extends FiredrillError {
  constructor(queue: string, state: 'paused' | 'running', detail: string) {
    super(
      SimulatorErrorCode.QUEUE_ALREADY_THERE,
      `The ${queue} queue is already ${state}${detail === '' ? '' : ` (${detail})`}: nothing was changed.`,
    )
  }
}
