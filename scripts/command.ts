import type { CommandDefinition } from './command-definition.ts'

/** One `firedrill <name>` command: parses its own arguments (from its definition) and returns an exit code. */
export interface Command {
  name: string
  run(argv: readonly string[]): Promise<number>
}

/**
 * What the command table holds for one command: its definition (usage, help, options) or, for a command with
 * subcommands (`flags list`, `flags set`), theirs; and its module, loaded only when it runs.
 */
export interface CommandEntry {
  name: string
  summary: string
  /** A command with no subcommands. */
  definition?: CommandDefinition
  /** A command whose first argument names a subcommand, each with its own definition. */
  subcommands?: readonly CommandDefinition[]
  load(): Promise<Command>
}
