import { describeReplay, replayRun } from '../../simulator/detection/replay/replay-run.ts'
import type { Command } from '../command.ts'
import { detectReplayDefinition } from '../definitions/detect-definition.ts'
import { parseCommandArgs } from '../parse-command-args.ts'
import { findSubcommand } from '../subcommand.ts'

export const detectCommand: Command = {
  name: 'detect',
  async run(argv) {
    const { definition, rest } = findSubcommand('detect', [detectReplayDefinition], argv)
    const { values, positionals } = parseCommandArgs(rest, definition as typeof detectReplayDefinition)
    const replay = await replayRun(positionals[0]!, values.rules ?? [])
    process.stdout.write(
      values.json ? `${JSON.stringify(replay, null, 2)}\n` : `${describeReplay(replay).join('\n')}\n`,
    )
    return 0
  },
}
