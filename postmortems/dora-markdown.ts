import {
  DORA_METRIC_LABELS,
  metricInputs,
  metricValues,
  periodOf,
} from '../record/dora/describe-dora-metrics.ts'
import type { DoraMetrics } from '../record/dora/dora-metrics.ts'
import type { Timings } from '../record/timings/derive-timings.ts'
import { table } from './markdown-table.ts'
import { formatMs } from './postmortem-format.ts'
import type { PostmortemDora } from './postmortem-schema.ts'

/** Each metric's cells: the value with its formula's inputs, `100.0% — 1 of 1 production deployment linked to an incident`. */
function cells(m: DoraMetrics): string[] {
  const inputs = metricInputs(m)
  return [periodOf(m), ...metricValues(m).map(([, value], i) => `${value} — ${inputs[i]}`)]
}

const LABELS = ['period', ...DORA_METRIC_LABELS]

/** What the two columns are, and why one is missing and how to fill it. */
function intro(dora: PostmortemDora): string {
  const self = (dora.thisRun === 'before' ? dora.before : dora.after)?.dir ?? '<this run dir>'
  const missing = dora.missing
  const measured = "each side is measured from its run's journal and its trunk's history up to its last event"
  if (missing === null)
    return `Before is the run this one repeats, with the bad change shipped; after is this run, on the trunk its loop left (fix merged, flag closed out); ${measured}.`
  if (missing.reason === 'no-again-run')
    return `This run is the before: the delivery loop as it was when the bad change shipped. The after comes from repeating its workload on the trunk this run's loop left, with \`firedrill run --again ${self}\` (that run's postmortem shows both); \`firedrill dora --compare RUN_A RUN_B\` puts any two runs side by side.`
  if (missing.reason === 'target-run')
    return `This run is the before: the team's delivery loop as it was when its change was released. A drill on a target is not repeated with \`--again\` (that would release the team's change on their service again); \`firedrill dora --compare ${self} RUN_B\` puts this run beside a later drill of the same target.`
  if (missing.reason === 'unreadable')
    return `This run is the after. The run it repeats could not be read at \`${missing.dir}\` (its journal is missing or unreadable), so there is no before. Restore that run directory and rebuild this report with \`firedrill report ${self}\`.`
  return `This run is the after. The run it repeats (\`${missing.dir}\`) was not measured for this document; \`firedrill report ${self}\` rebuilds it with both.`
}

const column = (side: PostmortemDora['before'], name: string) =>
  side === null
    ? ([name, LABELS.map(() => 'not measured')] as const)
    : ([`${name} (\`${side.runId}\`)`, cells(side.metrics)] as const)

/** The "DORA before and after" section's body: what the columns are, then metric | before | after. */
export function doraMarkdown(dora: PostmortemDora, timings?: Pick<Timings, 'mttrMs' | 'mttdMs'>): string {
  const [beforeHead, before] = column(dora.before, 'Before')
  const [afterHead, after] = column(dora.after, 'After')
  return [
    intro(dora),
    table(
      ['Metric', beforeHead, afterHead],
      LABELS.map((label, i) => [label, before[i]!, after[i]!]),
    ),
    ...(timings?.mttrMs == null ? [] : [recoveryNote(timings.mttrMs, timings.mttdMs)]),
  ].join('\n\n')
}

/** Why this run's MTTR and DORA's recovery time are two different figures of the same incident. */
function recoveryNote(mttrMs: number, mttdMs: number | null): string {
  return (
    `DORA's failed deployment recovery time runs from the incident's first alert to the recovery confirmed; the ` +
    `timings' MTTR (${formatMs(mttrMs)}) runs from the release, so it also holds the time to detect` +
    (mttdMs === null ? '.' : ` (${formatMs(mttdMs)}): the two differ by that much.`)
  )
}
