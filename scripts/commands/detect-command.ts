import { describeReplay, replayRun } from '../../simulator/detection/replay/replay-run.ts'
import { UsageError } from '../cli-errors.ts'
import type { Command } from '../command.ts'
import { parseCommandArgs } from '../parse-command-args.ts'

const usage = 'detect replay RUN_DIR --rules FILE [--rules FILE…] [--json]'

export const detectCommand: Command = {
  name: 'detect',
  usage,
  summary:
    "replay a drill's SLI series against other burn-rate rules: when each fires, how often in steady state",
  async run(argv) {
    const { values, positionals } = parseCommandArgs(
      argv,
      { rules: { type: 'string', multiple: true }, json: { type: 'boolean' } },
      usage,
      { min: 2, max: 2 },
    )
    if (positionals[0] !== 'replay')
      throw new UsageError(
        `Unknown detect subcommand "${positionals[0]}"; the one there is: replay.\nUsage: ${usage}`,
      )
    if (values.rules === undefined || values.rules.length === 0)
      throw new UsageError(
        `--rules FILE is required: the rule set to replay the run against.\nUsage: ${usage}`,
      )
    const replay = await replayRun(positionals[1]!, values.rules)
    process.stdout.write(
      values.json ? `${JSON.stringify(replay, null, 2)}\n` : `${describeReplay(replay).join('\n')}\n`,
    )
    return 0
  },
}
