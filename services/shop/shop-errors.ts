import { FiredrillError, FiredrillInputError } from '../platform/firedrill-error.ts'

/** Error codes of the shop's launcher and its parts. A code is never reused. */
export const ShopErrorCode = {
  PART_CONFIG_INVALID: 'FIREDRILL_SHOP_PART_CONFIG_INVALID',
  CODE_ROOT_INVALID: 'FIREDRILL_SHOP_CODE_ROOT_INVALID',
  PROCESS_FAILED: 'FIREDRILL_SHOP_PROCESS_FAILED',
  PROCESS_TIMEOUT: 'FIREDRILL_SHOP_PROCESS_TIMEOUT',
} as const

/**
 * A shop part's configuration misses its schema: names the field, where it came from, and the fix. `field` is
 * the top-level key (`responseHeaders`), `path` the exact place (`responseHeaders["bad header"]`), `problem`
 * what is wrong there (`must be an integer 0..65535 (got 70000)`).
 */
export class ShopPartConfigInvalidError extends FiredrillInputError {
  readonly field: string
  readonly path: string
  readonly problem: string
  readonly fix: string

  constructor(source: string, where: { field: string; path: string }, problem: string, fix: string) {
    super(
      ShopErrorCode.PART_CONFIG_INVALID,
      `Invalid shop part configuration from ${source}: ${where.path} ${problem}. ${fix}`,
    )
    this.field = where.field
    this.path = where.path
    this.problem = problem
    this.fix = fix
  }
}

/** The directory a shop process should run from does not hold the shop's entry point. */
export class ShopCodeRootInvalidError extends FiredrillInputError {
  constructor(codeRoot: string, entry: string) {
    super(
      ShopErrorCode.CODE_ROOT_INVALID,
      `Cannot start a shop process from "${codeRoot}": it has no ${entry}. Pass the project's root or an ` +
        'artifact directory built from it (both hold services/ and a node_modules link).',
    )
  }
}

/**
 * A shop process ended, or reported a failure, before it was ready. `partCode` is the code of the error the
 * process reported, when it reported one; `exitCode` follows it (2 for a mistake in the input, like a port
 * in use or a Redis that does not answer).
 */
export class ShopProcessFailedError extends FiredrillError {
  readonly partCode: string | undefined

  constructor(
    name: string,
    detail: string,
    options: { partCode?: string; exitCode?: number; cause?: unknown } = {},
  ) {
    super(ShopErrorCode.PROCESS_FAILED, `The shop's ${name} process could not start: ${detail}`, {
      exitCode: options.exitCode ?? 1,
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    })
    this.partCode = options.partCode
  }
}

/** A shop process did not say it was ready in time; it was killed. */
export class ShopProcessTimeoutError extends FiredrillError {
  constructor(name: string, timeoutMs: number, tail: string) {
    super(
      ShopErrorCode.PROCESS_TIMEOUT,
      `The shop's ${name} process was not ready after ${timeoutMs} ms and was stopped.` +
        (tail === '' ? '' : ` Its last output:\n${tail}`) +
        '\nIs the machine very busy? Raise startTimeoutMs, or start fewer processes.',
    )
  }
}
