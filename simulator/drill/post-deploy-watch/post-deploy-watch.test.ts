import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Artifact } from '../../../gate/build/artifact.ts'
import { systemClock } from '../../../record/clock/clock.ts'
import type { NewJournalEvent } from '../../../record/journal/journal-event.ts'
import {
  type ShopMetricsTestServer,
  startShopMetricsTestServer,
} from '../../detection/shop-metrics-test-server.ts'
import type { RollbackRequest } from '../production-deploys.ts'
import { judgeWindow, p95Limit } from './judge-watch.ts'
import { PostDeployWatch, WATCH_ACTOR } from './post-deploy-watch.ts'
import { errorRatioLowerBound, p95Bounds } from './watch-counts.ts'
import type { WatchSettings } from './watch-settings.ts'

const artifact = (hash: string) => ({ commit: hash, contentHash: hash }) as Artifact
const NEW = artifact('new-build')
const OLD = artifact('old-build')

const settings: WatchSettings = {
  enabled: true,
  windowMs: 800,
  intervalMs: 50,
  maxWatchMs: 5000,
  warmupMs: 200,
  maxErrorRatio: 0.01,
  p95HeadroomPct: 20,
  p95MinIncreaseMs: 25,
  minRequests: 50,
  consecutiveBreaches: 3,
}

/** One batch of orders as the test's traffic sends it: `slow` of every 100 take `slowMs`, `errors` answer 500. */
interface Mix {
  errors?: number
  slow?: number
  slowMs?: number
}

async function send(server: ShopMetricsTestServer, mix: Mix, count = 100): Promise<void> {
  const errors = mix.errors ?? 0
  const slow = Math.round(((mix.slow ?? 0) * count) / 100)
  await Promise.all([
    server.answer(500, errors),
    server.answer(201, slow, '/orders', mix.slowMs ?? 0),
    server.answer(201, count - errors - slow),
  ])
}

let server: ShopMetricsTestServer
beforeEach(async () => {
  server = await startShopMetricsTestServer()
})
afterEach(() => server.close())

/**
 * A steady state of `before` (ten batches of 20), the deploy completed, then batches of `after` every 30 ms (the
 * first batch's errors only once, when `firstErrors` says so) until the watch decides.
 */
async function watchDeploy(
  before: Mix,
  after: Mix,
  firstErrors = 0,
  cold?: Mix,
  overrides: Partial<WatchSettings> = {},
) {
  const journal: NewJournalEvent[] = []
  const rollbacks: { by: string; reason: string }[] = []
  let watching = () => {}
  const started = new Promise<void>((resolve) => {
    watching = resolve
  })
  let requested: RollbackRequest | undefined
  const watch = new PostDeployWatch({
    settings: { ...settings, ...overrides },
    strategy: 'rolling',
    liveUrls: () => [server.url],
    deploys: {
      rollbackRequested: () => requested,
      async rollback(by, reason) {
        rollbacks.push({ by, reason })
        requested = { by, reason, from: NEW, to: OLD }
        return requested
      },
    },
    record: async (event) => {
      journal.push(event)
      if (event.type === 'deploy.watch.started') watching()
    },
    say: () => {},
    clock: systemClock,
    waitForBack: async () => {},
  })
  await watch.steadyStateBegins()
  // The steady state: 200 orders, 20 at a time as the window's traffic comes (a burst of concurrent requests
  // would queue, and its latency with it).
  for (let i = 0; i < 10; i++) await send(server, before, 20)
  await watch.releaseBegins()
  watch.deployCompleted(NEW, OLD)
  // The window counts from the deploy's completion: traffic after it.
  await started
  let decided = false
  const outcome = watch.outcome().finally(() => {
    decided = true
  })
  let first = true
  while (!decided) {
    // A cold start: a larger first batch, every request of it slow, done well within the warm-up.
    const mix = first && cold !== undefined ? cold : after
    const count = first && cold !== undefined ? 60 : 20
    await send(server, first ? { ...mix, errors: (mix.errors ?? 0) + firstErrors } : mix, count)
    first = false
    await systemClock.sleep(30)
  }
  await watch.stop()
  return { outcome: await outcome, journal, rollbacks }
}

const eventOf = <T extends NewJournalEvent['type']>(journal: NewJournalEvent[], type: T) =>
  journal.find((e): e is Extract<NewJournalEvent, { type: T }> => e.type === type)

describe('the post-deploy watch', () => {
  it('rolls production back when errors breach, with the figures that breached', async () => {
    const { outcome, journal, rollbacks } = await watchDeploy({}, { errors: 4 })
    expect(outcome).toBe('breached')
    expect(rollbacks).toHaveLength(1)
    expect(rollbacks[0]?.by).toBe(WATCH_ACTOR)
    const breached = eventOf(journal, 'deploy.watch.breached')!
    expect(breached.data.breaches).toEqual(['error-ratio'])
    expect(breached.data.requests).toBeGreaterThanOrEqual(settings.minRequests)
    expect(breached.data.errorRatioLowerBound).toBeGreaterThanOrEqual(0.01)
    expect(breached.data.consecutive).toBe(3)
    expect(eventOf(journal, 'deploy.watch.rolled-back')?.data).toMatchObject({ to: OLD.contentHash })
    expect(eventOf(journal, 'deploy.watch.passed')).toBeUndefined()
  }, 20_000)

  it('rolls production back when p95 rises past the baseline plus headroom, at the bottom of its bucket', async () => {
    const { outcome, journal, rollbacks } = await watchDeploy({}, { slow: 20, slowMs: 120 })
    expect(outcome).toBe('breached')
    expect(rollbacks).toHaveLength(1)
    const started = eventOf(journal, 'deploy.watch.started')!
    const breached = eventOf(journal, 'deploy.watch.breached')!
    expect(breached.data.breaches).toEqual(['p95'])
    expect(breached.data.p95Ms!.lowerMs).toBeGreaterThan(started.data.thresholds.p95LimitMs!)
  }, 20_000)

  it('passes a good deploy whose window has an early error and a few slow requests, as a busy machine gives', async () => {
    const before = { slow: 10, slowMs: 15 }
    const { outcome, journal, rollbacks } = await watchDeploy(before, { slow: 12, slowMs: 15 }, 1)
    // What the watch saw, should it ever breach here: the figures a loaded machine gave it.
    const seen = JSON.stringify(journal.filter((e) => e.type !== 'deploy.watch.started'))
    expect(rollbacks, seen).toEqual([])
    expect(outcome, seen).toBe('passed')
    const passed = eventOf(journal, 'deploy.watch.passed')!
    expect(passed.data.errors).toBeGreaterThanOrEqual(1)
    expect(passed.data.watchedMs).toBeGreaterThanOrEqual(settings.windowMs)
    expect(eventOf(journal, 'deploy.watch.breached')).toBeUndefined()
  }, 20_000)

  it('passes a good deploy whose new instances answer their first requests slowly while they warm up', async () => {
    // The warm-up is wide enough for the cold batch (60 requests of 120 ms at once) to be answered inside it on a
    // loaded 2-core machine too: what is tested is that the watch leaves it out, not how fast the machine is.
    const { outcome, rollbacks } = await watchDeploy(
      {},
      {},
      0,
      { slow: 100, slowMs: 120 },
      {
        warmupMs: 800,
        windowMs: 1600,
      },
    )
    expect(rollbacks).toEqual([])
    expect(outcome).toBe('passed')
  }, 20_000)

  it('ends without rolling back when someone else already has', async () => {
    const journal: NewJournalEvent[] = []
    const request: RollbackRequest = { by: 'responder-bot', reason: 'paged', from: NEW, to: OLD }
    const watch = new PostDeployWatch({
      settings,
      strategy: 'blue-green',
      liveUrls: () => [server.url],
      deploys: {
        rollbackRequested: () => request,
        rollback: () => Promise.reject(new Error('no second rollback')),
      },
      record: async (event) => journal.push(event),
      say: () => {},
      clock: systemClock,
    })
    await watch.releaseBegins()
    watch.deployCompleted(NEW, OLD)
    expect(await watch.outcome()).toBe('ended')
    expect(eventOf(journal, 'deploy.watch.ended')?.data.reason).toContain('responder-bot')
  })
})

describe("the watch's figures", () => {
  it('places p95 in the bucket that holds it', () => {
    const counts = {
      requests: 100,
      errors: 0,
      buckets: [
        { le: 0.01, count: 90 },
        { le: 0.05, count: 96 },
        { le: Number.POSITIVE_INFINITY, count: 100 },
      ],
    }
    expect(p95Bounds(counts)).toEqual({ lower: 0.01, upper: 0.05 })
  })

  it('needs p95 to rise by p95MinIncreaseMs, however small the baseline: a few milliseconds of noise is no breach', () => {
    const thresholds = { ...settings, p95MinIncreaseMs: 25 }
    // A baseline p95 under 1 ms; the window's p95 between 2.5 and 5 ms, as a loaded host's scheduling gives.
    const baseline = { requests: 200, errorRatio: 0, p95: { lower: 0.0005, upper: 0.001 } }
    const noisy = {
      requests: 100,
      errors: 0,
      buckets: [
        { le: 0.001, count: 80 },
        { le: 0.0025, count: 90 },
        { le: 0.005, count: 100 },
        { le: Number.POSITIVE_INFINITY, count: 100 },
      ],
    }
    expect(p95Limit(baseline, thresholds)).toBeCloseTo(0.026)
    expect(judgeWindow(noisy, baseline, thresholds, noisy).breaches).toEqual([])
    // Headroom alone (no floor) would have rolled it back.
    expect(judgeWindow(noisy, baseline, { ...thresholds, p95MinIncreaseMs: 0 }, noisy).breaches).toEqual([
      'p95',
    ])
    // A real regression past the floor still breaches.
    const slow = {
      ...noisy,
      buckets: [
        { le: 0.05, count: 0 },
        { le: 0.1, count: 100 },
        { le: Number.POSITIVE_INFINITY, count: 100 },
      ],
    }
    expect(judgeWindow(slow, baseline, thresholds, slow).breaches).toEqual(['p95'])
  })

  it("keeps one error in fifty under a 1 % error ratio's confidence, and a fault's share over it", () => {
    expect(errorRatioLowerBound(1, 50)).toBeLessThan(0.01)
    expect(errorRatioLowerBound(9, 50)).toBeGreaterThan(0.05)
  })
})
