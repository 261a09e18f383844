import { type ParseArgsConfig, parseArgs } from 'node:util'
import { didYouMeanSuffix } from '../services/platform/did-you-mean.ts'
import { UsageError } from './cli-errors.ts'
import {
  type CommandDefinition,
  defineCommand,
  type OptionSpec,
  type OptionSpecs,
  optionSyntax,
  usageText,
} from './command-definition.ts'

type Options = NonNullable<ParseArgsConfig['options']>

/** What a command gets from its argument list: option values typed from its definition, and positionals. */
export type ParsedArgs<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>
>

/** node's message for a parse mistake, with the fix: the option it most likely meant, or what it needs. */
function parseMistake(err: Error & { code?: string }, options: OptionSpecs): string {
  const message = err.message.replace(/\. To specify.*$/s, '')
  const unknown = /^Unknown option '(-{1,2})([^']*)'/.exec(message)
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown !== null) {
    const [, dashes, name] = unknown
    const names = Object.keys(options)
    const match = dashes === '--' ? didYouMeanSuffix(name!, names, (m) => `--${m}`) : ''
    return `Unknown option '${dashes}${name}'.${match}`
  }
  return `${message}.`
}

/**
 * Strict argument parsing for one command, from its definition: unknown options (with the closest known one),
 * missing values, missing required options and stray or missing positionals are usage errors (exit 2) that
 * name the option and show the command's usage.
 */
export function parseCommandArgs<const O extends OptionSpecs>(
  argv: readonly string[],
  definition: CommandDefinition<O>,
): ParsedArgs<O>
/**
 * The older form, for commands not yet in the table: an inline `parseArgs` option table, the usage line and
 * how many positionals the command takes.
 */
export function parseCommandArgs<const O extends Options>(
  argv: readonly string[],
  options: O,
  usage: string,
  positionals?: { min?: number; max?: number },
): ParsedArgs<O>
export function parseCommandArgs(
  argv: readonly string[],
  definitionOrOptions: CommandDefinition | Options,
  usage?: string,
  counts: { min?: number; max?: number } = {},
): ParsedArgs<Options> {
  const definition =
    usage === undefined
      ? (definitionOrOptions as CommandDefinition)
      : legacy(definitionOrOptions as Options, usage, counts)
  const usageLine = usageText(definition)
  const fail = (text: string): never => {
    throw new UsageError(`${text}\n${usageLine}`, usageLine)
  }
  let parsed: ParsedArgs<Options>
  try {
    parsed = parseArgs({
      args: [...argv],
      options: definition.options as Options,
      allowPositionals: true,
      strict: true,
    })
  } catch (err) {
    return fail(parseMistake(err as Error, definition.options))
  }
  for (const [name, spec] of Object.entries(definition.options)) {
    if (spec.required && parsed.values[name] === undefined)
      fail(`${optionSyntax(name, spec)} is required: ${spec.description}.`)
  }
  const positionals = definition.positionals ?? []
  const min = usage === undefined ? positionals.filter((p) => !p.optional).length : (counts.min ?? 0)
  const max = usage === undefined ? positionals.length : (counts.max ?? 0)
  const count = parsed.positionals.length
  if (count < min) {
    const missing = positionals.slice(count, min).map((p) => p.name)
    fail(missing.length > 0 ? `Missing ${missing.join(' ')}.` : 'Missing argument.')
  }
  if (count > max) fail(`Unexpected argument "${parsed.positionals[max]}".`)
  return parsed
}

/** A definition for the older form: the usage line as given, options without descriptions. */
function legacy(options: Options, usage: string, counts: { min?: number; max?: number }): CommandDefinition {
  const specs: Record<string, OptionSpec> = {}
  for (const [name, o] of Object.entries(options)) {
    specs[name] = {
      type: o.type,
      description: name,
      ...(o.short === undefined ? {} : { short: o.short }),
      ...(o.multiple === undefined ? {} : { multiple: o.multiple }),
    }
  }
  const positionals = Array.from({ length: counts.max ?? 0 }, (_, i) => ({
    name: `ARG${i + 1}`,
    description: '',
    optional: i >= (counts.min ?? 0),
  }))
  return defineCommand({
    name: usage.replace(/^firedrill /, '').split(' ')[0] ?? '',
    summary: '',
    options: specs,
    positionals,
    forms: [usage.replace(/^firedrill /, '')],
  })
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
