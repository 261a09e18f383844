import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { systemClock } from '../record/clock/clock.ts'
import { eventsOf, type JournalEvent } from '../record/journal/journal-event.ts'
import { readJournal } from '../record/journal/read-journal.ts'
import { catalogNames, type LoadedScenario, loadScenario } from '../record/scenario/load-scenario.ts'
import type { RedisHandle } from '../services/platform/redis/redis-provisioner.ts'
import { createScraper, type Scraper } from '../simulator/detection/create-scraper.ts'
import { detectionSettingsOf } from '../simulator/detection/scenario-detection.ts'
import type { SliSample } from '../simulator/detection/sli-sample.ts'
import type { DrillSummary } from '../simulator/drill/drill-summary.ts'
import { reportRun } from '../simulator/drill/report-run.ts'
import { runDrill } from '../simulator/drill/run-drill.ts'
import { drillDetectionFigures } from './drill-detection-figures.ts'
import { physicalFloorMs, type SliEvent } from './physical-floor.ts'

const DETECTION_GOAL = 1.1
const WALL_GOAL = 1.3
/** How finely the bench's own sampler locates each SLO's events (the detector scrapes every 100 ms). */
const SAMPLE_MS = 50

/** One catalog drill, and its `--again` run, as the bench saw them. */
interface CatalogRun {
  name: string
  summary: DrillSummary
  events: JournalEvent[]
  wallMs: number
  /** Steady states, the holds that ran before the page (all of them when nobody was paged), the ack delay. */
  waitedMs: number
  detection: string
  again: { status: string; blockedBy: string[] } | null
}

/**
 * The catalog, scenario by scenario: each catalog drill run once as `firedrill run --scenario NAME` runs it (the
 * bot answers, the follow-up closes the loop), then once more with `--again` on its fixed trunk. For each: the
 * outcome, MTTD and MTTR, the mitigation and who applied it, what blocked the replay, the wall time against the
 * waiting the drill planned (steady states, the holds that ran before the page, the acknowledgement delay), and
 * the alert that paged against the **physical floor** of its SLO: the first instant the burn condition held on
 * the SLO's own events as the shop counted them, located to within 50 ms by a sampler of the bench's own that
 * scrapes the drill's targets twice as often as its detector (events between two samples are spread over the
 * interval, so the floor leans early), counted from the step that made the fault detectable.
 * `BENCH_CATALOG=a,b` runs only those scenarios (`BENCH_QUICK=1`: `bad-pricing` alone).
 */
export async function catalog(redis: RedisHandle, quick: boolean) {
  const wanted =
    process.env.BENCH_CATALOG?.split(',').map((n) => n.trim()) ?? (quick ? ['bad-pricing'] : undefined)
  const names = catalogNames().filter((n) => wanted === undefined || wanted.includes(n))
  const root = await mkdtemp(join(tmpdir(), 'firedrill-bench-catalog-'))
  const runs: CatalogRun[] = []
  try {
    for (const name of names) {
      const loaded = await loadScenario(name)
      // A target's scenario drills a service firedrill did not start (`run --target`).
      if (loaded.scenario.service.kind !== 'builtin-shop') continue
      process.stderr.write(`bench: the ${name} drill, then its --again run\n`)
      runs.push(await catalogRun(redis, loaded, root))
    }
  } finally {
    await rm(root, { recursive: true, force: true })
  }
  const sec = (ms: number | null | undefined) => (ms == null ? '—' : `${(ms / 1000).toFixed(1)} s`)
  const lines = [
    `each catalog scenario once with the bot and its follow-up, then --again; goals: detection within ${DETECTION_GOAL}× its physical floor, wall time within ${WALL_GOAL}× the waiting it planned`,
  ]
  for (const run of runs) {
    const { summary, events } = run
    const mitigation = eventsOf(events, 'mitigation.applied')[0]?.data
    lines.push(
      `  ${run.name}: ${summary.status}${summary.abortReason === undefined ? '' : ` (${summary.abortReason})`}; MTTD ${sec(summary.timings.mttdMs)}, MTTR ${sec(summary.timings.mttrMs)}; mitigation: ${mitigation === undefined ? 'none' : `${mitigation.action} by ${mitigation.by}`}; loop closed: ${summary.loopClosed ? 'yes' : 'no'}`,
      `      stopped by: ${stoppedBy(events).join(', ') || '—'}; --again: ${run.again === null ? 'not run' : `${run.again.status}${run.again.blockedBy.length === 0 ? '' : ` (${run.again.blockedBy.join(', ')})`}`}`,
      `      ${run.detection}`,
      `      wall ${sec(run.wallMs)} against ${sec(run.waitedMs)} planned waiting: ${(run.wallMs / run.waitedMs).toFixed(2)}×`,
    )
  }
  return { lines, runs }
}

async function catalogRun(redis: RedisHandle, loaded: LoadedScenario, root: string): Promise<CatalogRun> {
  const settings = detectionSettingsOf(loaded.scenario)
  let sampler: Scraper | undefined
  const started = performance.now()
  const outcome = await runDrill({
    loaded,
    redisUrl: redis.url,
    outDir: join(root, loaded.name),
    responder: 'bot',
    onOpened: ({ journal }) => {
      // The sampler starts on the detector's own targets as soon as the drill names them.
      journal.onEvent((event) => {
        if (event.type !== 'detection.started' || sampler !== undefined) return
        sampler = createScraper({
          targets: event.data.targets,
          intervalMs: SAMPLE_MS,
          clock: systemClock,
          timeoutMs: 1000,
          slos: settings.slos,
        })
        sampler.start()
      })
    },
  })
  const wallMs = performance.now() - started
  await sampler?.stop().catch(() => undefined)
  const { summary } = await reportRun(outcome.outDir)
  const { events } = await readJournal(outcome.journal)

  let again: CatalogRun['again'] = null
  if (summary.status === 'recovered' || summary.status === 'prevented') {
    const repeat = await runDrill({
      loaded,
      redisUrl: redis.url,
      outDir: join(root, `${loaded.name}-again`),
      responder: 'bot',
      again: outcome.outDir,
    })
    const { events: againEvents } = await readJournal(repeat.journal)
    again = { status: repeat.status, blockedBy: stoppedBy(againEvents) }
  }
  return {
    name: loaded.name,
    summary,
    events,
    wallMs,
    waitedMs: waited(loaded, events),
    detection: detectionAgainstFloor(loaded, events, sampler),
    again,
  }
}

/** What stopped the change (the gate's blocking steps, production's refusal, a deploy rolled back), if anything. */
function stoppedBy(events: readonly JournalEvent[]): string[] {
  const refused = eventsOf(events, 'change.refused')[0]
  if (refused !== undefined) return refused.data.blockedBy
  if (eventsOf(events, 'deploy.refused').length > 0) return ['deploy verification (content hash)']
  const rolledBack = eventsOf(events, 'deploy.rolled-back')[0]
  if (rolledBack !== undefined) return [`deploy ${rolledBack.data.check} check`]
  return []
}

/** The waiting the drill planned, as it ran: both steady states, the holds before the page, the ack delay. */
function waited(loaded: LoadedScenario, events: readonly JournalEvent[]): number {
  const { scenario } = loaded
  const figures = drillDetectionFigures(events)
  const ran = eventsOf(events, 'release.step').map((e) => e.data.step)
  const beforePage = figures === null ? ran : ran.filter((step) => step < figures.step)
  const holds = beforePage.reduce(
    (sum, step) => sum + (scenario.release.steps[step - 1]?.holdSeconds ?? 0),
    0,
  )
  const paged = eventsOf(events, 'page.sent').length > 0
  return (
    (2 * scenario.steadyState.durationSeconds + holds + (paged ? scenario.responder.ackDelaySeconds : 0)) *
    1000
  )
}

/** The paging alert against the physical floor of its SLO, both from the step that made the fault detectable. */
function detectionAgainstFloor(
  loaded: LoadedScenario,
  events: readonly JournalEvent[],
  sampler: Scraper | undefined,
): string {
  const figures = drillDetectionFigures(events)
  if (figures === null) return 'detection: nobody was paged'
  const settings = detectionSettingsOf(loaded.scenario)
  const slo = settings.slos.find((s) => s.name === figures.slo) ?? settings.slos[0]!
  const series = sampler?.seriesOf(slo.name).series() ?? []
  const first = series[0]
  if (first === undefined) return `detection (${slo.name}): the bench's sampler saw nothing`
  const at = physicalFloorMs(spread(series), {
    rules: settings.rules,
    objective: slo.objective,
    dataFrom: first.t,
    from: figures.releasedAt,
    until: figures.alertAt,
  })
  if (at === null) return `detection (${slo.name}, ${slo.sli.kind}): no physical floor before the alert`
  // The step that made it detectable: the last release step (or provider change) at or before the floor.
  const steps = [...eventsOf(events, 'release.step'), ...eventsOf(events, 'provider.changed')]
    .map((e) => Date.parse(e.at))
    .filter((t) => t <= at)
  const stepAt = Math.max(figures.releasedAt, ...steps)
  const floor = (at - stepAt) / 1000
  const alert = (figures.alertAt - stepAt) / 1000
  return `detection (${slo.name}, ${slo.sli.kind}): alert ${alert.toFixed(2)} s after the detectable step, floor ${floor.toFixed(2)} s: ${(alert / floor).toFixed(2)}× (${Math.round(figures.alertAt - at)} ms after it)`
}

/** A cumulative series as events: each sample's new events spread evenly over the interval since the last. */
function spread(series: readonly SliSample[]): SliEvent[] {
  const out: SliEvent[] = []
  for (let i = 1; i < series.length; i++) {
    const a = series[i - 1]!
    const b = series[i]!
    const n = b.total - a.total
    const bad = b.bad - a.bad
    const marks = new Set(
      Array.from({ length: bad }, (_, k) => Math.floor(((k + 0.5) * n) / Math.max(bad, 1))),
    )
    for (let j = 0; j < n; j++) out.push({ t: a.t + ((j + 0.5) * (b.t - a.t)) / n, bad: marks.has(j) })
  }
  return out
}
