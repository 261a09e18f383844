import { FiredrillError, FiredrillInputError } from '../../services/platform/firedrill-error.ts'

/** Error codes of the simulator part (the drill). A code is never reused; add new ones at the end. */
export const SimulatorErrorCode = {
  DRILL_NOT_READY: 'FIREDRILL_DRILL_NOT_READY',
  DRILL_OUT_NOT_EMPTY: 'FIREDRILL_DRILL_OUT_NOT_EMPTY',
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
