import { didYouMeanSuffix } from '../services/platform/did-you-mean.ts'
import { isFiredrillError } from '../services/platform/firedrill-error.ts'
import { UnknownCommandError } from './cli-errors.ts'
import { COMMANDS } from './command-table.ts'
import { commandHelp, topLevelHelp } from './help-text.ts'
import { FIREDRILL_VERSION } from './version.ts'

/** `--help` or `-h` among a command's arguments (before a `--` that ends the options). */
function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--')
  const options = end === -1 ? args : args.slice(0, end)
  return options.includes('--help') || options.includes('-h')
}

/** Runs one command line; returns the exit code. Input mistakes print one clear message and exit 2. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h') {
    process.stdout.write(topLevelHelp(COMMANDS))
    return name === undefined ? 2 : 0
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`firedrill ${FIREDRILL_VERSION}\n`)
    return 0
  }
  try {
    const wanted = name === 'help' ? rest[0] : name
    const command = COMMANDS.find((c) => c.name === wanted)
    if (name === 'help' && wanted === undefined) {
      process.stdout.write(topLevelHelp(COMMANDS))
      return 0
    }
    if (command === undefined) {
      const names = COMMANDS.map((c) => c.name)
      throw new UnknownCommandError(wanted ?? name, names, didYouMeanSuffix(wanted ?? name, names))
    }
    if (name === 'help' || asksForHelp(rest)) {
      process.stdout.write(commandHelp(command, name === 'help' ? rest.slice(1) : rest))
      return 0
    }
    return await (await command.load()).run(rest)
  } catch (err) {
    if (isFiredrillError(err)) {
      process.stderr.write(`firedrill: ${err.message}\n`)
      return err.exitCode
    }
    process.stderr.write(
      `firedrill: unexpected failure (a bug; please report it):\n${(err as Error)?.stack ?? String(err)}\n`,
    )
    return 1
  }
}
