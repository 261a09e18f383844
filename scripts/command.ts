/** One `firedrill <name>` command: parses its own arguments and returns an exit code. */
export interface Command {
  name: string
  usage: string
  summary: string
  run(argv: readonly string[]): Promise<number>
}

/** What the command table holds: the help text, and the command's module loaded only when it runs. */
export interface CommandEntry {
  name: string
  usage: string
  summary: string
  load(): Promise<Command>
}
