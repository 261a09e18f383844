import { resolve } from 'node:path'
import { collectScores } from '../../training/collect-scores.ts'
import type { Command } from '../command.ts'
import { scoresDefinition } from '../definitions/scores-definition.ts'
import { parseCommandArgs } from '../parse-command-args.ts'

export const scoresCommand: Command = {
  name: 'scores',
  async run(argv) {
    const { values } = parseCommandArgs(argv, scoresDefinition)
    const board = await collectScores(resolve(values.runs), values.scenario)
    if (values.json) {
      process.stdout.write(`${JSON.stringify(board, null, 2)}\n`)
      return 0
    }
    if (board.groups.length === 0) {
      process.stdout.write(
        `No trainee runs${values.scenario === undefined ? '' : ` of ${values.scenario}`} under ${board.runsDir}. Run firedrill train first.\n`,
      )
      return 0
    }
    for (const group of board.groups) {
      process.stdout.write(`${group.scenario}, seed ${group.seed}: ${group.entries.length} run(s)\n`)
      for (const [i, e] of group.entries.entries()) {
        const s = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(1)}s`)
        process.stdout.write(
          `  ${String(i + 1).padStart(2)}. ${String(e.points).padStart(5)}  ${e.trainee.padEnd(16)} ack ${s(e.acknowledgeMs).padStart(6)}  mitigate ${s(e.mitigateMs).padStart(6)}  hints ${e.hints}  ${e.runId}\n`,
        )
      }
    }
    for (const skipped of board.skipped)
      process.stderr.write(`firedrill: skipped ${skipped.dir}: ${skipped.reason}\n`)
    return 0
  },
}
