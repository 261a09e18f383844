import { dirname, join } from 'node:path'
import { writeFileAtomically } from '../../services/platform/write-file-atomically.ts'
import { drillJunitXml } from '../../simulator/drill/drill-checks.ts'
import { RUN_FILES, reportRun } from '../../simulator/drill/report-run.ts'
import { describeScore } from '../../training/describe-score.ts'
import type { Command } from '../command.ts'
import { reportDefinition } from '../definitions/report-definition.ts'
import { describeSummary } from '../describe-summary.ts'
import { parseCommandArgs } from '../parse-command-args.ts'
import { writableOutput } from '../writable-output.ts'

export const reportCommand: Command = {
  name: 'report',
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, reportDefinition)
    const junit = values.junit === undefined ? undefined : await writableOutput(values.junit, '--junit')
    const { summary, postmortem, truncatedLastLine, closedOrphan, checks } = await reportRun(positionals[0]!)
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
    // A trainee's run: the score, recomputed from the journal by the same rubric (also in the postmortem).
    if (!values.json && postmortem.training !== undefined)
      process.stdout.write(`${describeScore(postmortem.training).join('\n')}\n`)
    if (junit !== undefined) await writeFileAtomically(junit, drillJunitXml(summary, checks))
    return 0
  },
}
