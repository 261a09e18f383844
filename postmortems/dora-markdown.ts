import { metricInputs, metricValues, periodOf } from '../simulator/dora/describe-dora-metrics.ts'
import type { DoraMetrics } from '../simulator/dora/dora-metrics.ts'
import { table } from './markdown-table.ts'
import type { PostmortemDora } from './postmortem-schema.ts'

/** Each metric's cells: the value with its formula's inputs, `100.0% (1 of 1 production deployment linked to an incident)`. */
function cells(m: DoraMetrics): string[] {
  const inputs = metricInputs(m)
  return [periodOf(m), ...metricValues(m).map(([, value], i) => `${value} (${inputs[i]})`)]
}

const LABELS = [
  'period',
  'deployment frequency',
  'change lead time',
  'change failure rate',
  'failed deployment recovery time',
  'deployment rework rate',
]

/** Why there is no before, and how to get one. */
function beforeNote(dora: PostmortemDora): string {
  const missing = dora.beforeMissing
  const thisRun = dora.after.dir ?? '<this run dir>'
  if (missing === null) return ''
  if (missing.reason === 'unreadable')
    return `The run this one repeats could not be read at \`${missing.dir}\` (its journal is missing or unreadable), so there is no before. Restore that run directory and rebuild this report with \`firedrill report ${thisRun}\`.`
  if (missing.reason === 'not-measured')
    return `The run this one repeats (\`${missing.dir}\`) was not measured for this document; \`firedrill report ${thisRun}\` rebuilds it with both.`
  return `This is a first run, so there is no before yet. To see the after view, repeat its workload on the fixed trunk with \`firedrill run --again ${thisRun}\` (its postmortem shows both), or compare two runs with \`firedrill dora --compare RUN_A RUN_B\`.`
}

/** The "DORA before and after" section's body: why a before is missing, then metric | before | after. */
export function doraMarkdown(dora: PostmortemDora): string {
  const after = cells(dora.after.metrics)
  const before = dora.before === null ? LABELS.map(() => 'not measured') : cells(dora.before.metrics)
  const intro =
    dora.before === null
      ? beforeNote(dora)
      : `Before is the run this one repeats (\`${dora.before.runId}\`), after is this run (\`${dora.after.runId}\`), each measured from its journal and its trunk's history up to its last event.`
  return [
    intro,
    table(
      [
        'Metric',
        dora.before === null ? 'Before' : `Before (\`${dora.before.runId}\`)`,
        `After (\`${dora.after.runId}\`)`,
      ],
      LABELS.map((label, i) => [label, before[i]!, after[i]!]),
    ),
  ].join('\n\n')
}
