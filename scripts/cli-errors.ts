import { FiredrillInputError } from '../services/platform/firedrill-error.ts'

/** Error codes of the command line. A code is never reused. */
export const CliErrorCode = {
  USAGE: 'FIREDRILL_USAGE',
  UNKNOWN_COMMAND: 'FIREDRILL_UNKNOWN_COMMAND',
} as const

export class UsageError extends FiredrillInputError {
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(CliErrorCode.USAGE, message)
  }
}

export class UnknownCommandError extends FiredrillInputError {
  constructor(command: string, known: readonly string[], suggestion = '') {
    super(
      CliErrorCode.UNKNOWN_COMMAND,
      `Unknown command "${command}".${suggestion} Commands: ${known.join(', ')}. Try firedrill --help.`,
    )
  }
}
