/**
 * The base of every error firedrill raises on purpose. `code` is stable and unique across the project
 * (tests assert on it); `exitCode` is what the command line exits with when this error reaches it.
 */
export class FiredrillError extends Error {
  readonly code: string
  readonly exitCode: number

  constructor(code: string, message: string, options: { cause?: unknown; exitCode?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'FiredrillError'
    this.code = code
    this.exitCode = options.exitCode ?? 1
  }
}

/** A mistake in what the user gave us (flags, files, environment): exit code 2, never a stack trace. */
export class FiredrillInputError extends FiredrillError {
  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { ...options, exitCode: 2 })
    this.name = 'FiredrillInputError'
  }
}

export function isFiredrillError(err: unknown): err is FiredrillError {
  return err instanceof FiredrillError
}
