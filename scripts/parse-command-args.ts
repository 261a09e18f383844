import { type ParseArgsConfig, parseArgs } from 'node:util'
import { UsageError } from './cli-errors.ts'

type Options = NonNullable<ParseArgsConfig['options']>

/**
 * Strict argument parsing for one command: unknown flags, missing values and stray positionals are usage
 * errors (exit 2) that name the flag and show the command's usage line.
 */
export function parseCommandArgs<const O extends Options>(
  argv: readonly string[],
  options: O,
  usage: string,
  positionals: { min?: number; max?: number } = {},
) {
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>
  >
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true })
  } catch (err) {
    throw new UsageError(
      `${(err as Error).message.replace(/\. To specify.*$/s, '')}.\nUsage: ${usage}`,
      usage,
    )
  }
  const count = parsed.positionals.length
  if (count < (positionals.min ?? 0)) throw new UsageError(`Missing argument.\nUsage: ${usage}`, usage)
  if (count > (positionals.max ?? 0)) {
    throw new UsageError(
      `Unexpected argument "${parsed.positionals[positionals.max ?? 0]}".\nUsage: ${usage}`,
      usage,
    )
  }
  return parsed
}

/** Reads an integer flag within bounds, or throws a usage error naming the flag. */
export function intOption(
  value: string | undefined,
  flag: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${flag} must be an integer from ${min} to ${max} (got "${value}").`)
  }
  return n
}
