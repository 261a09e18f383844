import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readJournal } from '../record/journal/read-journal.ts'
import { loadScenario } from '../record/scenario/load-scenario.ts'
import type { RedisHandle } from '../services/platform/redis/redis-provisioner.ts'
import type { SliKind } from '../simulator/detection/sli-definition.ts'
import type { DrillSummary } from '../simulator/drill/drill-summary.ts'
import { reportRun } from '../simulator/drill/report-run.ts'
import { runDrill } from '../simulator/drill/run-drill.ts'
import { type DetectionRun, detectionRun, FAULTS } from './detection-run.ts'
import { type DrillDetectionFigures, drillDetectionFigures } from './drill-detection-figures.ts'
import { summarize } from './percentiles.ts'

/** One whole drill as the benchmarks saw it. */
export interface BenchDrill {
  wallMs: number
  summary: DrillSummary
  figures: DrillDetectionFigures | null
}

const SCENARIO = 'bad-pricing'
const KINDS: readonly SliKind[] = ['availability', 'latency', 'fulfilment']
/** Clean traffic before the fault: as the drill's steady state (5 s), and a whole fast-burn long window and more. */
const FROM_THE_STEP_MS = 5_000
const FULL_WINDOWS_MS = 20_000
const GOAL = 1.1

/**
 * Detection, honestly. (1) The default scenario's drill with the bot responder, `drills` times: MTTD (release
 * → first paging alert) and the page, the step that made the fault detectable and the time after it, and the
 * requests it took. (2) Per SLI kind, on the real shop with a fault started at once (detection-run.ts): the
 * drill's detector and a real Prometheus with the same rules side by side, each against the physical floor (the
 * first instant the burn condition holds on the events as they happened), from a step taken after the
 * drill's 5 s of clean history, and again from full, clean windows. Goal: the detector within 1.1× the floor.
 */
export async function detection(redis: RedisHandle, drills: number, quick: boolean) {
  const loaded = await loadScenario(SCENARIO)
  const root = await mkdtemp(join(tmpdir(), 'firedrill-bench-'))
  const done: BenchDrill[] = []
  try {
    for (let i = 0; i < drills; i++) {
      process.stderr.write(`bench: drill ${i + 1}/${drills} (${SCENARIO}, bot responder)\n`)
      const started = performance.now()
      const outcome = await runDrill({
        loaded,
        redisUrl: redis.url,
        outDir: join(root, `run-${i + 1}`),
        responder: 'bot',
      })
      const wallMs = performance.now() - started
      const { summary } = await reportRun(outcome.outDir)
      const { events } = await readJournal(outcome.journal)
      done.push({ wallMs, summary, figures: drillDetectionFigures(events) })
    }
  } finally {
    await rm(root, { recursive: true, force: true })
  }
  const runs: DetectionRun[] = []
  for (const kind of KINDS) {
    for (const cleanMs of quick ? [FROM_THE_STEP_MS] : [FROM_THE_STEP_MS, FULL_WINDOWS_MS]) {
      process.stderr.write(`bench: detection of ${kind} after ${cleanMs / 1000} s of clean traffic\n`)
      runs.push(await detectionRun(redis, kind, cleanMs))
    }
  }
  return {
    lines: [...describeDrills(done), '', ...describeRuns(runs, loaded.scenario.detection.scrapeIntervalMs)],
    drills: done,
    loaded,
    runs,
  }
}

const sec = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'never')
const times = (x: number) => `${x.toFixed(2)}×`

function describeDrills(drills: readonly BenchDrill[]): string[] {
  const lines = [`detection in the ${SCENARIO} drill (bot responder), ${drills.length} run(s)`]
  for (const [i, d] of drills.entries()) {
    const f = d.figures
    const head = `  run ${i + 1}: ${d.summary.status}`
    if (f === null) {
      lines.push(`${head}, no page after the release: nothing to measure`)
      continue
    }
    lines.push(
      `${head}, ${f.rule}${f.slo === null ? '' : ` on ${f.slo}`} fired ${sec(f.alertAt - f.stepAt)} after step ${f.step} (${f.percent} %)` +
        `${f.pageAt === null ? '' : `, paged ${sec(f.pageAt - f.alertAt)} later (group_wait)`}; ` +
        `${f.requestsToDetect} requests from the release (${f.failedToDetect} failed)`,
    )
  }
  const detected = drills.flatMap((d) => (d.figures !== null && d.summary.timings.mttdMs !== null ? [d] : []))
  if (detected.length === 0) return lines
  const row = (label: string, xs: number[], fmt: (x: number) => string) => {
    const s = summarize(xs)
    return `  ${label.padEnd(40)} p50 ${fmt(s.p50)}  min ${fmt(s.min)}  max ${fmt(s.max)}`
  }
  lines.push(
    row(
      'MTTD (release → first paging alert)',
      detected.map((d) => d.summary.timings.mttdMs!),
      sec,
    ),
    row(
      'after the step that made it detectable',
      detected.map((d) => d.figures!.alertAt - d.figures!.stepAt),
      sec,
    ),
    row(
      'requests to detect (release → alert)',
      detected.map((d) => d.figures!.requestsToDetect),
      String,
    ),
  )
  return lines
}

function describeRuns(runs: readonly DetectionRun[], everyMs: number): string[] {
  const lines = [
    'detection against the physical floor (the first instant the burn condition holds on the events as they',
    "happened); the fault starts at once; the drill's detector and a real Prometheus, same shop, same rules,",
    `scrape and evaluation every ${everyMs} ms; times from the fault; goal: detector ≤ ${GOAL.toFixed(2)}× the floor`,
  ]
  for (const kind of KINDS) {
    lines.push(`  ${kind}: ${FAULTS[kind]}`)
    for (const r of runs.filter((x) => x.kind === kind)) {
      const setup =
        r.cleanMs >= FULL_WINDOWS_MS ? 'full clean windows' : `from the step (${r.cleanMs / 1000} s history)`
      if (r.burningBefore) {
        lines.push(
          `    ${setup.padEnd(30)} not measured: the SLI burned before the fault (the machine too busy for its threshold)`,
        )
        continue
      }
      if (r.floorAt === null) {
        lines.push(
          `    ${setup.padEnd(30)} the condition never held on the events (error ratio ${(r.errorRatio * 100).toFixed(1)} %): nothing to measure`,
        )
        continue
      }
      const floor = r.floorAt - r.faultAt
      const of = (at: number | null) =>
        at === null ? 'did not fire' : `${sec(at - r.faultAt)} (${times((at - r.faultAt) / floor)})`
      const ok = r.detectorAt !== null && (r.detectorAt - r.faultAt) / floor <= GOAL
      lines.push(
        `    ${setup.padEnd(30)} floor ${sec(floor)}  detector ${of(r.detectorAt)}${ok ? '' : ' ABOVE GOAL'}  ` +
          `page ${r.pageAt === null ? '-' : sec(r.pageAt - r.faultAt)}  Prometheus ${of(r.prometheusAt)}  ` +
          `(error ratio ${(r.errorRatio * 100).toFixed(1)} %, before the fault ${(r.cleanErrorRatio * 100).toFixed(1)} %; ${r.events} events)`,
      )
    }
  }
  return lines
}
