import { metricInputs, metricValues } from '../../../record/dora/describe-dora-metrics.ts'
import type { DoraMetrics } from '../../../record/dora/dora-metrics.ts'
import { loadRuns } from '../../../record/dora/load-run-journals.ts'
import { readRunDora, runDoraAfter } from '../../../record/dora/run-dora.ts'
import type { CapstoneRun, GradeContext } from '../grade-context.ts'
import { type Evidence, type Judgement, notYet, pass } from '../grade-result.ts'

/** The four metrics the capstone asks for, by their index in `metricValues`. */
const ASKED = [0, 1, 2, 3]

/** What a snapshot lacks: metrics it could not measure (recovery time needs a failed deployment). */
function missing(m: DoraMetrics, after: boolean): string[] {
  const lacks: string[] = []
  if (m.deploymentFrequency.perDay === null) lacks.push('deployment frequency')
  if (m.changeLeadTime.medianMs === null) lacks.push('change lead time')
  if (m.changeFailureRate.rate === null) lacks.push('change failure rate')
  // After the fix, no failed deployment is the point: nothing to recover is a measurement, not a gap.
  const nothingFailed = m.changeFailureRate.failedDeployments === 0
  if (m.failedDeploymentRecoveryTime.medianMs === null && !(after && nothingFailed))
    lacks.push('failed deployment recovery time')
  return lacks
}

function snapshot(which: string, run: CapstoneRun, m: DoraMetrics): Evidence {
  const values = metricValues(m)
  const inputs = metricInputs(m)
  const cells = ASKED.map((i) => `${values[i]![0]} ${values[i]![1]} (${inputs[i]})`)
  return { kind: 'run', ref: run.id, detail: `${which}: ${cells.join('; ')}` }
}

/**
 * Criterion 3: a run and its `--again` run (same scenario, same seed: the same workload), measured from their
 * journals and their sandboxes' git history as `firedrill dora --compare` measures them: before, all four
 * metrics; after, all four (recovery time may be undefined when nothing failed).
 */
export async function judgeDoraBeforeAfter(ctx: GradeContext): Promise<Judgement> {
  const byId = new Map(ctx.runs.map((r) => [r.id, r]))
  const pairs = ctx.runs.flatMap((after) => {
    const before = after.againOf === null ? undefined : byId.get(after.againOf)
    return before === undefined ? [] : [{ before, after }]
  })
  const first = ctx.runs.find((r) => r.againOf === null)
  if (pairs.length === 0)
    return notYet(
      'no run repeats another (run --again): there is no after to compare',
      [],
      [
        `npx firedrill run --again ${first?.dir ?? '.firedrill/runs/RUN_ID'}`,
        'npx firedrill dora --compare RUN_ID AGAIN_RUN_ID',
      ],
    )
  const problems: Evidence[] = []
  for (const { before, after } of pairs.reverse()) {
    if (before.scenario !== after.scenario || before.seed !== after.seed) {
      problems.push({
        kind: 'run',
        ref: after.id,
        detail: `not the same workload as ${before.id} (scenario or seed differ)`,
      })
      continue
    }
    const a = await readRunDora(before.dir)
    const [afterRun] = await loadRuns(after.dir)
    const b = await runDoraAfter(afterRun!, a)
    const evidence = [snapshot('before', before, a.metrics), snapshot('after', after, b.metrics)]
    const lacks = [
      ...missing(a.metrics, false).map((m) => `before: ${m}`),
      ...missing(b.metrics, true).map((m) => `after: ${m}`),
    ]
    if (lacks.length === 0)
      return pass(
        `${before.id} → ${after.id}, scenario ${before.scenario}, seed ${before.seed}, measured from journals and git`,
        evidence,
      )
    problems.push(...evidence, { kind: 'run', ref: after.id, detail: `cannot measure ${lacks.join(', ')}` })
  }
  return notYet('no before/after pair measures all four metrics', problems, [
    `npx firedrill dora --compare ${pairs[0]!.before.id} ${pairs[0]!.after.id}   # see what is missing`,
  ])
}
