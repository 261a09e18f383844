import { createHash } from 'node:crypto'
import type { Clock } from '../../record/clock/clock.ts'
import type { ValidScenario } from '../../record/scenario/parse-scenario.ts'
import { createOrderGenerator } from '../traffic/order-generator.ts'
import type { RequestRecord } from '../traffic/request-outcome.ts'
import { startTraffic, type TrafficRun } from '../traffic/start-traffic.ts'
import type { DrillJournal } from './drill-journal.ts'

export interface DrillTrafficOptions {
  scenario: ValidScenario
  seed: number
  clock: Clock
  targets: readonly string[]
  /** The instances taking traffic now. @defaultValue `targets` */
  live?: () => readonly string[]
  journal: DrillJournal
  track(task: Promise<unknown>): void
  /** Whether the bad change has reached users yet: the first failure after it is journalled. */
  released(): boolean
}

/**
 * The drill's synthetic customers: seeded orders on an open arrival schedule against every api instance, each
 * interval's outcome journalled, and the first failed request after the release marked.
 */
export function startDrillTraffic(options: DrillTrafficOptions): TrafficRun {
  const { scenario, journal, track } = options
  let firstFailureLogged = false
  const run: TrafficRun = startTraffic({
    targets: options.targets,
    ...(options.live === undefined ? {} : { live: options.live }),
    ratePerSecond: scenario.traffic.ratePerSecond,
    generator: createOrderGenerator({
      seed: options.seed,
      couponShare: scenario.traffic.mix.couponShare,
      itemsPerOrder: scenario.traffic.mix.itemsPerOrder,
      customers: scenario.traffic.mix.customers,
    }),
    clock: options.clock,
    intervalMs: 250,
    // A checkout client's patience: an answer slower than this counts as a failed order.
    timeoutMs: 5000,
    onInterval: (counts) => {
      track(
        journal.append({
          type: 'traffic.interval',
          data: {
            index: counts.index,
            from: new Date(counts.start).toISOString(),
            to: new Date(counts.end).toISOString(),
            requests: counts.requests - counts.dropped,
            failures: counts.failures,
            dropped: counts.dropped,
            byStatus: counts.byStatus,
            latencyP50Ms: counts.latencyP50,
            latencyP99Ms: counts.latencyP99,
          },
        }),
      )
      if (firstFailureLogged || counts.failures === 0 || !options.released()) return
      firstFailureLogged = true
      const status =
        run.firstFailure()?.status ?? Object.keys(counts.byStatus).find((s) => s.startsWith('5')) ?? 'unknown'
      track(
        journal.append({
          type: 'request.first-failure',
          data: { status: typeof status === 'number' ? status : String(status), route: 'POST /orders' },
        }),
      )
    },
  })
  return run
}

/** The first 200 requests in schedule order, as a digest: what two runs with one seed must share. */
export function requestSequenceDigest(records: readonly RequestRecord[]): { count: number; digest: string } {
  const first = [...records].sort((a, b) => a.seq - b.seq).slice(0, 200)
  const hash = createHash('sha256')
  for (const r of first)
    hash.update(`${r.seq}|${r.requestId}|${r.customerId}|${r.couponCode ?? ''}|${r.itemCount}\n`)
  return { count: first.length, digest: hash.digest('hex') }
}
