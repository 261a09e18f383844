import { provisionRedis } from '../services/platform/redis/redis-provisioner.ts'
import { catalog } from './catalog.ts'
import { concurrentDrills } from './concurrent-drills.ts'
import { consoleLatency } from './console-latency.ts'
import { consoleOverhead } from './console-overhead.ts'
import { deadMansSwitch } from './dead-mans-switch.ts'
import { detection } from './detection.ts'
import { drillTime } from './drill-time.ts'
import { flagPropagation } from './flag-propagation.ts'
import { gateWallTime } from './gate-wall-time.ts'
import { killSwitch } from './kill-switch.ts'
import { overhead } from './overhead.ts'
import { shopProcesses } from './shop-processes.ts'

/**
 * `npm run bench`: prints each benchmark's figures, and the ratio against a baseline measured in the same run.
 * Figures are measured here, never asserted in tests. `BENCH_QUICK=1` runs every entry short (a smoke run);
 * the full run takes about half an hour on a 2-core machine: the resync-only flips (5 s each), three drills, and
 * six detection runs (three SLI kinds, two histories each) with a real Prometheus beside the detector, two
 * group training sessions (of one and of four) for entry 10, and every catalog drill with its `--again` run for
 * entry 12 (about 20 minutes of it).
 */
const quick = process.env.BENCH_QUICK === '1'
/** `BENCH_ONLY=3,9` runs those entries only (drill time needs detection's drills, so it brings them along). */
const only = process.env.BENCH_ONLY?.split(',').map((n) => Number(n.trim()))
if (only?.some((n) => !Number.isInteger(n) || n < 1 || n > 12)) {
  process.stderr.write(
    `BENCH_ONLY must list entry numbers from 1 to 12, like 3,9 (got "${process.env.BENCH_ONLY}").\n`,
  )
  process.exit(2)
}
const wanted = (n: number) => only === undefined || only.includes(n)
const redis = await provisionRedis()
const out = (lines: readonly string[]) => process.stdout.write(`${lines.join('\n')}\n\n`)
const header = (n: number, title: string) => process.stdout.write(`== ${n}. ${title} ==\n`)
process.stdout.write(
  `firedrill bench${quick ? ' (quick)' : ''}  node ${process.version}  redis ${redis.url} (${redis.source})\n\n`,
)
try {
  if (wanted(1)) {
    header(1, 'flag propagation')
    out((await flagPropagation(redis, quick ? 60 : 300, quick ? 6 : 24)).lines)
  }
  const detected = wanted(2) || wanted(4) ? await detection(redis, quick ? 1 : 3, quick) : undefined
  if (wanted(2) && detected !== undefined) {
    header(2, 'detection')
    out(detected.lines)
  }
  if (wanted(3)) {
    header(3, 'overhead')
    out((await overhead(redis, quick ? 2 : 5, quick ? 2 : 3)).lines)
  }
  if (wanted(4) && detected !== undefined) {
    header(4, 'drill time')
    out(drillTime(detected.loaded, detected.drills).lines)
  }
  if (wanted(5)) {
    header(5, 'gate wall time')
    out((await gateWallTime(quick)).lines)
  }
  if (wanted(6)) {
    header(6, "dead man's switch")
    out((await deadMansSwitch(redis, quick ? 1 : 5)).lines)
  }
  if (wanted(7)) {
    header(7, 'shop processes')
    out((await shopProcesses(redis, quick ? 1 : 3)).lines)
  }
  if (wanted(8)) {
    header(8, 'training console latency')
    out((await consoleLatency(quick ? 50 : 300)).lines)
  }
  if (wanted(9)) {
    header(9, 'training console overhead')
    out((await consoleOverhead(redis, quick ? 2 : 4, quick ? 2 : 6)).lines)
  }
  if (wanted(10)) {
    header(10, 'drills at once (a group training session)')
    out((await concurrentDrills(redis, quick ? 2 : 4)).lines)
  }
  if (wanted(11)) {
    header(11, 'kill switch across api processes')
    out((await killSwitch(redis, quick ? 20 : 100)).lines)
  }
  if (wanted(12)) {
    header(12, 'the catalog, scenario by scenario')
    out((await catalog(redis, quick)).lines)
  }
} finally {
  await redis.stop()
}
