import { dirname, join } from 'node:path'
import type { DrillSummary } from '../../simulator/drill/drill-summary.ts'
import { RUN_FILES, reportRun } from '../../simulator/drill/report-run.ts'
import { humanizeMs } from '../../simulator/timings/humanize-ms.ts'
import type { Command } from '../command.ts'
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
    const { summary, truncatedLastLine } = await reportRun(positionals[0]!)
    if (truncatedLastLine)
      process.stderr.write(
        "firedrill: the journal's last line was cut off (the run crashed); reported what it holds.\n",
      )
    process.stdout.write(
      values.json ? `${JSON.stringify(summary, null, 2)}\n` : `${describeSummary(summary).join('\n')}\n`,
    )
    return 0
  },
}

const figure = (ms: number | null) => (ms === null ? 'not reached' : humanizeMs(ms))

/** The summary as a few lines for people: status, the four timings, impact and where the files are. */
export function describeSummary(summary: DrillSummary): string[] {
  const { timings: t, impact } = summary
  const status =
    summary.status === 'aborted' && summary.abortReason !== undefined
      ? `aborted: ${summary.abortReason}`
      : summary.status
  const errorPct = (impact.errorRatio * 100).toFixed(2)
  return [
    `run         ${summary.runId} (scenario ${summary.scenario}, seed ${summary.seed})`,
    `status      ${status}`,
    `MTTD        ${figure(t.mttdMs).padEnd(12)} release → alert`,
    `MTTA        ${figure(t.mttaMs).padEnd(12)} alert → acknowledgement`,
    `MTTM        ${figure(t.mttmMs).padEnd(12)} alert → flag off`,
    `MTTR        ${figure(t.mttrMs).padEnd(12)} release → recovery`,
    `impact      ${impact.failedRequests} of ${impact.requests} requests failed (${errorPct}%), ` +
      `${impact.errorBudgetConsumedPct.toFixed(2)}% of the error budget`,
    `postmortem  ${summary.postmortem.markdown} (${summary.postmortem.actionItems} action items)`,
    `            ${summary.postmortem.json}`,
    `summary     ${join(dirname(summary.journal), RUN_FILES.summary)}`,
    `journal     ${summary.journal}`,
  ]
}
