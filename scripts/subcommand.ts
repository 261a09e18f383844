import { didYouMeanSuffix } from '../services/platform/did-you-mean.ts'
import { UsageError } from './cli-errors.ts'
import { type CommandDefinition, usageLines } from './command-definition.ts'

/** `flags set` → `set`. */
export function subcommandName(definition: CommandDefinition): string {
  return definition.name.split(' ').slice(1).join(' ')
}

/** Every form of every subcommand, one usage line each. */
export function groupUsage(subcommands: readonly CommandDefinition[]): string[] {
  return subcommands.flatMap(usageLines)
}

/**
 * The subcommand `argv` starts with, and the arguments after it. A missing or unknown one is a usage error
 * (exit 2) that names the closest subcommand and lists every form.
 */
export function findSubcommand(
  group: string,
  subcommands: readonly CommandDefinition[],
  argv: readonly string[],
): { definition: CommandDefinition; rest: readonly string[] } {
  const [name, ...rest] = argv
  const definition = subcommands.find((s) => subcommandName(s) === name)
  if (definition !== undefined) return { definition, rest }
  const names = subcommands.map(subcommandName)
  const lines = groupUsage(subcommands).map((l) => `  ${l}`)
  const what =
    name === undefined
      ? `Missing subcommand: firedrill ${group} ${names.join('|')}.`
      : `Unknown subcommand "${name}".${didYouMeanSuffix(name, names)}`
  throw new UsageError(`${what}\nUsage:\n${lines.join('\n')}`, lines.join('\n'))
}
