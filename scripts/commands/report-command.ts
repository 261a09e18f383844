import { dirname, join } from 'node:path'
import { RUN_FILES, reportRun } from '../../simulator/drill/report-run.ts'
import type { Command } from '../command.ts'
import { describeSummary } from '../describe-summary.ts'
import { parseCommandArgs } from '../parse-command-args.ts'

const usage = 'report RUN_DIR [--json]'

export const reportCommand: Command = {
  name: 'report',
  usage,
  summary: "rebuild a run's timings, summary.json and postmortem from its journal",
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean' } }, usage, {
      min: 1,
      max: 1,
    })
    const { summary, truncatedLastLine, closedOrphan } = await reportRun(positionals[0]!)
    if (closedOrphan !== null)
      process.stderr.write(
        `firedrill: run ${closedOrphan.runId} ${closedOrphan.reason}; its journal now says so.\n`,
      )
    if (truncatedLastLine)
      process.stderr.write(
        "firedrill: the journal's last line was cut off (the run crashed); reported what it holds.\n",
      )
    process.stdout.write(
      values.json
        ? `${JSON.stringify(summary, null, 2)}\n`
        : `${describeSummary(summary, { summary: join(dirname(summary.journal), RUN_FILES.summary) }).join('\n')}\n`,
    )
    return 0
  },
}
