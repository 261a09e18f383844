import { FiredrillInputError } from '../services/platform/firedrill-error.ts'

/** Error codes of the capstone part (init and grade). A code is never reused. */
export const CapstoneErrorCode = {
  DIR_NOT_EMPTY: 'FIREDRILL_CAPSTONE_DIR_NOT_EMPTY',
  NOT_A_REPOSITORY: 'FIREDRILL_CAPSTONE_NOT_A_REPOSITORY',
  RUBRIC_UNREADABLE: 'FIREDRILL_CAPSTONE_RUBRIC_UNREADABLE',
  RUBRIC_INVALID: 'FIREDRILL_CAPSTONE_RUBRIC_INVALID',
} as const

export class CapstoneDirNotEmptyError extends FiredrillInputError {
  constructor(dir: string, what: string) {
    super(
      CapstoneErrorCode.DIR_NOT_EMPTY,
      `Refused to create a capstone repository in "${dir}": ${what}. firedrill init never writes over anything; ` +
        'pass a new directory (or an empty one).',
    )
  }
}

export class CapstoneNotARepositoryError extends FiredrillInputError {
  constructor(dir: string, detail: string) {
    super(
      CapstoneErrorCode.NOT_A_REPOSITORY,
      `Cannot grade "${dir}": ${detail}. Pass --repo with the capstone repository (firedrill init DIR creates one).`,
    )
  }
}

export class RubricUnreadableError extends FiredrillInputError {
  constructor(file: string, detail: string) {
    super(
      CapstoneErrorCode.RUBRIC_UNREADABLE,
      `Cannot read the rubric "${file}": ${detail}. Pass a YAML file like the capstone-rubric.yaml firedrill init writes.`,
    )
  }
}

export class RubricInvalidError extends FiredrillInputError {
  constructor(file: string, problems: readonly string[]) {
    super(
      CapstoneErrorCode.RUBRIC_INVALID,
      `The rubric "${file}" is not valid:\n  ${problems.join('\n  ')}\nFix these fields and run again.`,
    )
  }
}
