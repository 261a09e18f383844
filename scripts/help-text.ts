import type { CommandEntry } from './command.ts'
import { helpText, usageLines } from './command-definition.ts'
import { groupUsage, subcommandName } from './subcommand.ts'

/** The usage lines of a command: its own, or every subcommand's. */
export function entryUsage(entry: CommandEntry): string[] {
  if (entry.definition !== undefined) return usageLines(entry.definition)
  return groupUsage(entry.subcommands ?? [])
}

/** `firedrill --help`: every command with its usage and what it does. */
export function topLevelHelp(commands: readonly CommandEntry[]): string {
  const blocks = commands.map((c) => {
    const lines = entryUsage(c).map((l) => `  ${l.replace(/^firedrill /, '')}`)
    return `${lines.join('\n')}\n      ${c.summary}`
  })
  return `firedrill: incident drills and the postmortem loop, end to end.

Usage: firedrill <command> [options]
       firedrill <command> --help     every option of one command
       firedrill --version

Commands:
${blocks.join('\n')}

Redis: --redis URL, else REDIS_URL, else a server on 127.0.0.1:6379, else a private redis-server.
`
}

/**
 * `firedrill <command> --help`: the command's help, or for a command with subcommands the help of the one
 * named after it, else the list of its subcommands.
 */
export function commandHelp(entry: CommandEntry, rest: readonly string[]): string {
  if (entry.definition !== undefined) return helpText(entry.definition)
  const subcommands = entry.subcommands ?? []
  const named = subcommands.find((s) => subcommandName(s) === rest[0])
  if (named !== undefined) return helpText(named)
  const lines = subcommands.map(
    (s) =>
      `${usageLines(s)
        .map((l) => `  ${l}`)
        .join('\n')}\n      ${s.summary}`,
  )
  return `Usage: firedrill ${entry.name} <subcommand> [options]

${entry.summary}

Subcommands:
${lines.join('\n')}

Run firedrill ${entry.name} <subcommand> --help for its options.
`
}
