import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RedisHandle } from '../services/platform/redis/redis-provisioner.ts'
import type { DrillSummary } from '../simulator/drill/drill-summary.ts'
import { reportRun } from '../simulator/drill/report-run.ts'
import { runDrill } from '../simulator/drill/run-drill.ts'
import { readJournal } from '../simulator/journal/read-journal.ts'
import { type LoadedScenario, loadScenario } from '../simulator/scenario/load-scenario.ts'
import { type DrillDetectionFigures, drillDetectionFigures } from './drill-detection-figures.ts'
import { summarize } from './percentiles.ts'

/** One whole drill as the benchmarks saw it. */
export interface BenchDrill {
  wallMs: number
  summary: DrillSummary
  figures: DrillDetectionFigures | null
}

const SCENARIO = 'bad-pricing'

/**
 * Detection: the default scenario's drill with the bot responder, `runs` times, each into its own temporary
 * directory. MTTD (release → first page, from the summary) against the theoretical minimum for the rule that
 * fired at the error ratio the traffic actually saw (see drill-detection-figures.ts), and the requests it took
 * to detect. The drills are returned for the drill-time entry.
 */
export async function detection(redis: RedisHandle, runs: number) {
  const loaded = await loadScenario(SCENARIO)
  const root = await mkdtemp(join(tmpdir(), 'firedrill-bench-'))
  const drills: BenchDrill[] = []
  try {
    for (let i = 0; i < runs; i++) {
      process.stderr.write(`bench: drill ${i + 1}/${runs} (${SCENARIO}, bot responder)\n`)
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
      drills.push({ wallMs, summary, figures: drillDetectionFigures(events, loaded.scenario) })
    }
  } finally {
    await rm(root, { recursive: true, force: true })
  }
  return { lines: describe(loaded, drills), drills, loaded }
}

const sec = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'never')
const pct = (x: number) => `${(x * 100).toFixed(1)}%`
const times = (x: number) => `${x.toFixed(2)}x`

function describe(loaded: LoadedScenario, drills: readonly BenchDrill[]): string[] {
  const lines = [`detection, ${loaded.name} drill (bot responder), ${drills.length} run(s)`]
  const detected = drills.flatMap((d) => (d.figures !== null && d.summary.timings.mttdMs !== null ? [d] : []))
  for (const [i, d] of drills.entries()) {
    const f = d.figures
    const head = `  run ${i + 1}: ${d.summary.status}`
    if (f === null) {
      lines.push(`${head}, no page after the release: nothing to measure`)
      continue
    }
    lines.push(
      `${head}, ${f.rule} fired at step ${f.step} (${f.percent}%), error ratio ${pct(f.errorRatio)}; ` +
        `after the step ${sec(f.alertAt - f.stepAt)}, theoretical ${sec(f.theoreticalMs)}; ` +
        `history at the step: long window ${sec(Math.min(f.long.preMs, f.long.windowMs))} of ${sec(f.long.windowMs)} ` +
        `at ${pct(f.long.preErrorRatio)}`,
    )
  }
  if (detected.length === 0) return lines
  const row = (label: string, xs: number[], fmt: (x: number) => string) => {
    const s = summarize(xs)
    return `  ${label.padEnd(46)} p50 ${fmt(s.p50)}  min ${fmt(s.min)}  max ${fmt(s.max)}`
  }
  const f = (d: BenchDrill) => d.figures!
  const mttd = (d: BenchDrill) => d.summary.timings.mttdMs!
  const theoreticalFromRelease = (d: BenchDrill) => f(d).stepAt - f(d).releasedAt + f(d).theoreticalMs
  lines.push(
    row('MTTD (release → page, summary)', detected.map(mttd), sec),
    row('theoretical from the release', detected.map(theoreticalFromRelease), sec),
    row(
      'ratio MTTD / theoretical',
      detected.map((d) => mttd(d) / theoreticalFromRelease(d)),
      times,
    ),
    row(
      'after the step that fired it',
      detected.map((d) => f(d).alertAt - f(d).stepAt),
      sec,
    ),
    row(
      'theoretical after that step',
      detected.map((d) => f(d).theoreticalMs),
      sec,
    ),
    row(
      'ratio (after the step / theoretical)',
      detected.map((d) => (f(d).alertAt - f(d).stepAt) / f(d).theoreticalMs),
      times,
    ),
    row(
      'theoretical after it, earlier steps as clean',
      detected.map((d) => f(d).theoreticalCleanHistoryMs),
      sec,
    ),
    row(
      'textbook θ·W/e + scrape + eval (clean window)',
      detected.map((d) => f(d).textbookMs),
      sec,
    ),
    row(
      'requests to detect (release → page)',
      detected.map((d) => f(d).requestsToDetect),
      String,
    ),
    row(
      '  of which failed',
      detected.map((d) => f(d).failedToDetect),
      String,
    ),
  )
  return lines
}
