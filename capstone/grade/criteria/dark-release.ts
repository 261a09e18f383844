import { eventsOf } from '../../../record/journal/journal-event.ts'
import { deriveTimings } from '../../../record/timings/derive-timings.ts'
import { humanizeMs } from '../../../record/timings/humanize-ms.ts'
import type { DrillSummary } from '../../../simulator/drill/drill-summary.ts'
import { type CapstoneRun, type GradeContext, readRunJson } from '../grade-context.ts'
import { type Evidence, type Judgement, notYet, pass } from '../grade-result.ts'

/** MTTR in summary.json may be rounded; the journal's own figure must agree within this. */
const MTTR_TOLERANCE_MS = 1000

type Verdict = { ok: true; evidence: Evidence[] } | { ok: false; why: string }

/** Whether one run shows the whole story: dark in production, released, recovered by the flag alone. */
async function judgeRun(run: CapstoneRun): Promise<Verdict> {
  const { events } = run
  const flag = eventsOf(events, 'drill.started')[0]?.data.flag
  const release = eventsOf(events, 'release.step').find((e) => e.data.percent > 0)
  if (flag === undefined || release === undefined) return { ok: false, why: 'nothing was released' }
  const dark = eventsOf(events, 'change.deployed').find(
    (e) => e.data.environment === 'production' && e.data.dark && e.seq < release.seq,
  )
  if (dark === undefined) return { ok: false, why: 'no dark production deployment before the release' }
  const mitigation = eventsOf(events, 'mitigation.applied').find(
    (e) => e.seq > release.seq && e.data.flag === flag && e.data.action === 'flag off',
  )
  if (mitigation === undefined) return { ok: false, why: `${flag} was never turned off after the release` }
  const recovered = eventsOf(events, 'recovery.confirmed').find((e) => e.seq > mitigation.seq)
  if (recovered === undefined) return { ok: false, why: 'no recovery was confirmed after the flag went off' }
  const rollback = events.find(
    (e) =>
      e.seq > release.seq &&
      e.seq <= recovered.seq &&
      (e.type === 'artifact.built' ||
        e.type === 'change.deployed' ||
        (e.type === 'deploy.step' && e.data.outcome !== undefined && e.data.outcome !== 'deployed')),
  )
  if (rollback !== undefined)
    return {
      ok: false,
      why: `a build or deploy (${rollback.type}, seq ${rollback.seq}) came between release and recovery`,
    }
  const mttrMs = deriveTimings(events).mttrMs
  const summary = await readRunJson<DrillSummary>(run.summaryJson)
  if (summary === null) return { ok: false, why: `no summary.json (firedrill report ${run.dir} writes it)` }
  const recorded = summary.timings?.mttrMs
  if (mttrMs === null || typeof recorded !== 'number' || Math.abs(recorded - mttrMs) > MTTR_TOLERANCE_MS)
    return { ok: false, why: `summary.json's MTTR (${recorded}) is not the journal's (${mttrMs})` }
  return {
    ok: true,
    evidence: [
      {
        kind: 'run',
        ref: run.id,
        detail: `${dark.data.commit.slice(0, 12)} deployed to production dark (artifact ${(dark.data.artifact ?? '').slice(0, 12)}), released at seq ${release.seq}`,
      },
      {
        kind: 'run',
        ref: run.id,
        detail: `${flag} turned off by ${mitigation.data.by} ("${mitigation.data.reason}"); recovered with no build or deploy in between`,
      },
      {
        kind: 'file',
        ref: run.summaryJson!,
        detail: `MTTR ${humanizeMs(recorded)} (release → recovered), as the journal gives it`,
      },
    ],
  }
}

/** Criterion 2: a first run whose change went to production dark and recovered by its flag alone, MTTR recorded. */
export async function judgeDarkRelease(ctx: GradeContext): Promise<Judgement> {
  const firstRuns = ctx.runs.filter((r) => r.againOf === null)
  const misses: Evidence[] = []
  for (const run of firstRuns) {
    const verdict = await judgeRun(run)
    if (verdict.ok)
      return pass(`run ${run.id} shipped dark and recovered by turning its flag off`, verdict.evidence)
    misses.push({ kind: 'run', ref: run.id, detail: verdict.why })
  }
  return notYet(
    firstRuns.length === 0
      ? `no drill run in ${ctx.runsDir}`
      : 'no run shows a dark release recovered by its flag',
    misses,
    ['npx firedrill run'],
  )
}
