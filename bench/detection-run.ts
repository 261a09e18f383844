import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { stringify } from 'yaml'
import { systemClock } from '../record/clock/clock.ts'
import { eventsOf } from '../record/journal/journal-event.ts'
import { JournalWriter } from '../record/journal/journal-writer.ts'
import { rolloutChange } from '../services/flags/flag-state.ts'
import { FlagsHttpClient } from '../services/flags/flags-http-client.ts'
import type { Order } from '../services/orders/order.ts'
import { RedisFaultModeStore } from '../services/payments/fault-mode-store.ts'
import type { RedisHandle } from '../services/platform/redis/redis-provisioner.ts'
import { startApiInstance } from '../services/shop/start-api-instance.ts'
import { startShop } from '../services/shop/start-shop.ts'
import { prometheusRules } from '../simulator/detection/rules/prometheus-rules.ts'
import { detectionSettingsOf } from '../simulator/detection/scenario-detection.ts'
import type { SliKind } from '../simulator/detection/sli-definition.ts'
import { scenarioWith } from '../simulator/detection/testing/scenario-with.ts'
import { prometheusAlerts, startPrometheus } from '../simulator/detection/testing/start-prometheus.ts'
import { createDrillDetection } from '../simulator/drill/drill-detection.ts'
import { DrillJournal } from '../simulator/drill/drill-journal.ts'
import { startDrillPaging } from '../simulator/drill/drill-paging.ts'
import type { Responder } from '../simulator/drill/responders/responder.ts'
import { createOrderGenerator } from '../simulator/traffic/order-generator.ts'
import { isFailure } from '../simulator/traffic/request-outcome.ts'
import { startTraffic } from '../simulator/traffic/start-traffic.ts'
import { physicalFloorMs, type SliEvent } from './physical-floor.ts'
import { startRedisDelayProxy } from './redis-delay-proxy.ts'

/** How each SLI kind is made to burn in the real shop, and how hard. */
export const FAULTS: Record<SliKind, string> = {
  availability: 'the kill switch checkout.accepting-orders off for 30 % of customers (503)',
  latency:
    'Redis 1 s slower for one of the two api instances (a delay proxy on its connections), against 1 s',
  fulfilment: 'the payment provider 2.5 s slower (every order paid after its 2 s deadline)',
}

const SLO = {
  availability: { name: 'orders-availability', sli: 'availability' },
  latency: { name: 'orders-latency', sli: 'latency', threshold: '1s' },
  fulfilment: { name: 'orders-paid', sli: 'fulfilment', deadline: '2s' },
} as const

/** One detection run: when the fault started, the physical floor, and when each detector saw it. */
export interface DetectionRun {
  kind: SliKind
  /** Clean traffic the windows held before the fault. */
  cleanMs: number
  faultAt: number
  /** Null: the condition never held on the events (the run measured nothing). */
  floorAt: number | null
  /** The drill's detector: the first paging alert, and the page. */
  detectorAt: number | null
  pageAt: number | null
  /** A real Prometheus with the same rules, scraping the same shop at the same interval (`activeAt`). */
  prometheusAt: number | null
  /** Share of bad events between the fault and the detector's alert, as they happened. */
  errorRatio: number
  /** Share of bad events in the clean traffic the detector saw before the fault. */
  cleanErrorRatio: number
  /**
   * The burn condition already held on the events before the fault (a machine too busy for the SLI's
   * threshold, or a cold start): nothing about detection can be read from the run.
   */
  burningBefore: boolean
  events: number
}

/** Not measured: the first seconds meet cold code and an idle worker (settling an order can take a second). */
const WARM_UP_MS = 8000

const listener: Responder = { kind: 'bot', name: 'bench', respond: async () => {} }

/**
 * Detection of one SLI kind on the real shop: two api instances and a worker, seeded orders at 40 a second
 * (after a warm-up that is not measured), the drill's detector (the bad-pricing scenario's rules, scrape and evaluation, this SLO alone) and a real
 * Prometheus loaded with the same rules (scaled windows), both scraping the same instances at the scenario's scrape interval. After
 * `cleanMs` of clean traffic the fault starts at once; the run ends once both have fired (or `timeoutMs`). The
 * physical floor is computed on what really happened: each request when it was answered (availability,
 * latency from the client's own clock), each order when the store recorded it settled (fulfilment).
 */
export async function detectionRun(
  redis: RedisHandle,
  kind: SliKind,
  cleanMs: number,
  timeoutMs = 30_000,
): Promise<DetectionRun> {
  const scenario = scenarioWith((doc) => {
    doc.slo.indicators = [SLO[kind]]
  })
  const settings = detectionSettingsOf(scenario)
  const prefix = `bench-detection-${kind}-${process.pid}-${Date.now()}`
  const dir = await mkdtemp(join(tmpdir(), 'firedrill-bench-detection-'))
  const redisConnection = new Redis(redis.url)
  const closers: Array<() => Promise<unknown>> = [
    () => rm(dir, { recursive: true, force: true }),
    async () => {
      await dropKeys(redisConnection, prefix)
      await redisConnection.quit()
    },
  ]
  try {
    const proxy = await startRedisDelayProxy(redis.url)
    closers.push(() => proxy.close())
    const shop = await startShop({
      redisUrl: redis.url,
      prefix,
      apiInstances: 0,
      workers: 1,
      workerConcurrency: 32,
      flagsToken: 'bench-token',
      flagsResyncIntervalMs: 1000,
    })
    closers.push(() => shop.close())
    const apis = [
      await startApiInstance({ redisUrl: proxy.url, prefix, instance: 0, processMetrics: true }),
      await startApiInstance({ redisUrl: redis.url, prefix, instance: 1 }),
    ]
    for (const api of apis) closers.push(() => api.close())
    const apiUrls = apis.map((a) => a.url)
    const targets = [...apiUrls, ...shop.workerMetricsUrls]

    const journal = new DrillJournal(
      await JournalWriter.create(join(dir, 'journal.jsonl'), { clock: systemClock }),
    )
    closers.push(() => journal.close())
    const failures: unknown[] = []
    const track = (task: Promise<unknown>) => {
      task.catch((err: unknown) => failures.push(err))
    }
    const paging = await startDrillPaging({
      responder: listener,
      journal,
      flagsUrl: shop.flagsUrl,
      token: 'bench-token',
      clock: systemClock,
      signal: new AbortController().signal,
      track,
      say: () => {},
      runId: prefix,
      scenario: `bench-${kind}`,
    })
    closers.push(() => paging.close())
    const traffic = startTraffic({
      targets: apiUrls,
      ratePerSecond: scenario.traffic.ratePerSecond,
      generator: createOrderGenerator({
        seed: scenario.seed,
        couponShare: 0,
        itemsPerOrder: scenario.traffic.mix.itemsPerOrder,
        customers: scenario.traffic.mix.customers,
      }),
      clock: systemClock,
      intervalMs: 250,
      timeoutMs: 5000,
    })
    closers.push(() => traffic.stop())
    await sleep(WARM_UP_MS)
    const prometheus = await startPrometheus({
      targets,
      rules: stringify(
        prometheusRules({
          slos: settings.slos,
          rules: settings.rules,
          windows: 'scaled',
          keepFiringForMs: settings.keepFiringForMs,
          evaluationIntervalMs: settings.evaluationIntervalMs,
        }),
      ),
      scrapeIntervalMs: settings.scrapeIntervalMs,
      evaluationIntervalMs: settings.evaluationIntervalMs,
    })
    closers.push(() => prometheus.stop())

    const detection = createDrillDetection({
      scenario,
      clock: systemClock,
      targets,
      journal,
      runId: prefix,
      pagerUrl: paging.url,
      externalURL: shop.flagsUrl,
      track,
      say: () => {},
      onEvaluated: () => {},
    })
    detection.start()
    closers.push(() => detection.stop())
    const dataFrom = Date.now()

    await sleep(cleanMs)
    const faultAt = Date.now()
    if (kind === 'availability')
      await new FlagsHttpClient({ baseUrl: shop.flagsUrl, token: 'bench-token', actor: 'bench' }).set(
        'checkout.accepting-orders',
        rolloutChange(70),
        'bench: turn 30 % of customers away',
      )
    else if (kind === 'latency') proxy.setDelay(1000)
    else await new RedisFaultModeStore(redisConnection, prefix).set({ mode: 'latency', ms: 2500 })

    const deadline = faultAt + timeoutMs
    let prometheusAt: number | null = null
    const firedAt = () => {
      const fired = eventsOf(journal.events, 'alert.fired').find((e) => e.data.pages === true)
      return fired === undefined ? null : Date.parse(fired.at)
    }
    while (Date.now() < deadline && (firedAt() === null || prometheusAt === null)) {
      const active = await prometheusAlerts(prometheus).catch(() => [])
      const paging = active.filter(
        (a) => a.state === 'firing' && settings.pageSeverities.includes(a.labels.severity ?? ''),
      )
      if (paging.length > 0) prometheusAt = Math.min(...paging.map((a) => Date.parse(a.activeAt)))
      await sleep(250)
    }
    const detectorAt = firedAt()
    // The page follows the alert after group_wait: give it a moment.
    for (let i = 0; i < 20 && detectorAt !== null && eventsOf(journal.events, 'page.sent').length === 0; i++)
      await sleep(100)
    const page = eventsOf(journal.events, 'page.sent')[0]
    const until = Math.max(detectorAt ?? Date.now(), prometheusAt ?? 0)
    await traffic.stop()

    const events =
      kind === 'fulfilment'
        ? await settlements(redisConnection, prefix, 2000)
        : traffic.requests().flatMap((r): SliEvent[] =>
            r.status === null || r.latencyMs === null || r.sentAt === null
              ? []
              : [
                  {
                    t: r.scheduledAt + r.latencyMs,
                    // Latency as the service saw it: from the request leaving, not from when it was due.
                    bad:
                      kind === 'availability'
                        ? isFailure(r.status)
                        : r.scheduledAt + r.latencyMs - r.sentAt > 1000,
                  },
                ],
          )
    const floorAt = physicalFloorMs(events, {
      rules: settings.rules,
      objective: settings.slos[0]!.objective,
      dataFrom,
      from: faultAt,
      until,
    })
    const burningBefore =
      physicalFloorMs(events, {
        rules: settings.rules,
        objective: settings.slos[0]!.objective,
        dataFrom,
        from: dataFrom,
        until: faultAt,
        resolutionMs: 10,
      }) !== null ||
      (detectorAt !== null && detectorAt < faultAt)
    const after = events.filter((e) => e.t >= faultAt && e.t <= (detectorAt ?? until))
    const before = events.filter((e) => e.t >= dataFrom && e.t < faultAt)
    return {
      kind,
      cleanMs,
      faultAt,
      floorAt,
      detectorAt,
      pageAt: page === undefined ? null : Date.parse(page.at),
      prometheusAt,
      errorRatio: after.length === 0 ? 0 : after.filter((e) => e.bad).length / after.length,
      burningBefore,
      cleanErrorRatio: before.length === 0 ? 0 : before.filter((e) => e.bad).length / before.length,
      events: events.length,
    }
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined)
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Every settled order of the shop, at the time the store recorded it settled; late or failed is bad. */
async function settlements(redis: Redis, prefix: string, deadlineMs: number): Promise<SliEvent[]> {
  const out: SliEvent[] = []
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:orders:*`, 'COUNT', 500)
    cursor = next
    const orders = keys.filter((key) => key !== `${prefix}:orders:index`)
    const values = orders.length === 0 ? [] : await redis.mget(...orders)
    for (const raw of values) {
      if (raw === null || !raw.startsWith('{')) continue
      const order = JSON.parse(raw) as Order
      if (order.status === 'pending') continue
      const settledAt = Date.parse(order.updatedAt)
      out.push({
        t: settledAt,
        bad: order.status === 'failed' || settledAt - Date.parse(order.createdAt) > deadlineMs,
      })
    }
  } while (cursor !== '0')
  return out
}

async function dropKeys(redis: Redis, prefix: string) {
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
    cursor = next
    if (keys.length > 0) await redis.unlink(...keys)
  } while (cursor !== '0')
}
