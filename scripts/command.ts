import type { CommandDefinition } from './command-definition.ts'

/** One `firedrill <name>` command: parses its own arguments (from its definition) and returns an exit code. */
export interface Command {
  name: string
  /**
   * Only for a command still written in the older style (its own usage string and `parseCommandArgs(argv,
   * options, usage)`): ignored. `--help` and usage come from the command's definition in `definitions/`.
   */
  usage?: string
  /** As `usage`: ignored; the definition's summary is what `--help` shows. */
  summary?: string
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
