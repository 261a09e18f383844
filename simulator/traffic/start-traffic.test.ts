import { createServer } from 'node:net'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../record/clock/manual-clock.ts'
import { TrafficErrorCode } from './errors.ts'
import type { IntervalCounts } from './interval-counts.ts'
import { createOrderGenerator } from './order-generator.ts'
import { type OrdersTestServer, startOrdersTestServer } from './orders-test-server.ts'
import { startTraffic, type TrafficOptions, type TrafficRun } from './start-traffic.ts'

const servers: OrdersTestServer[] = []
const runs: TrafficRun[] = []

beforeAll(async () => {
  // The global fetch loads undici on first use; load it before anything is timed.
  const warm = await startOrdersTestServer()
  await fetch(`${warm.url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  }).then((r) => r.arrayBuffer())
  await warm.close()
})

afterEach(async () => {
  await Promise.all(runs.splice(0).map((run) => run.stop().catch(() => undefined)))
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

async function server(options: Parameters<typeof startOrdersTestServer>[0] = {}): Promise<OrdersTestServer> {
  const s = await startOrdersTestServer(options)
  servers.push(s)
  return s
}

/** Starts traffic and resolves once `intervals` intervals have been delivered (bounded by the test timeout). */
async function runFor(
  options: Omit<TrafficOptions, 'onInterval'>,
  intervals: number,
): Promise<{ run: TrafficRun; delivered: IntervalCounts[] }> {
  const delivered: IntervalCounts[] = []
  let reached: () => void = () => undefined
  const enough = new Promise<void>((resolve) => {
    reached = resolve
  })
  const run = startTraffic({
    ...options,
    onInterval: (counts) => {
      delivered.push(counts)
      if (delivered.length >= intervals) reached()
    },
  })
  runs.push(run)
  await enough
  return { run, delivered }
}

async function closedPortUrl(): Promise<string> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const address = probe.address()
  await new Promise((resolve) => probe.close(resolve))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return `http://127.0.0.1:${address.port}`
}

const generator = (seed = 1, couponShare = 0.3) =>
  createOrderGenerator({ seed, couponShare, itemsPerOrder: { min: 1, max: 3 } })

describe('open arrival traffic', () => {
  it('sends on schedule while the service is slow (no coordinated omission)', async () => {
    const slow = await server({ delayMs: 600 })
    const { run } = await runFor(
      { targets: [slow.url], ratePerSecond: 50, generator: generator(), intervalMs: 100, timeoutMs: 5000 },
      3,
    )
    const summary = await run.stop()
    const records = run.requests()
    const firstAnsweredAt = records[0]!.scheduledAt + records[0]!.latencyMs!
    const sentBeforeFirstAnswer = records.filter(
      (r) => r.sentAt !== null && r.sentAt < firstAnsweredAt,
    ).length
    // A closed loop would have sent one request by then; the open model sends one every 20 ms (about 30).
    expect(sentBeforeFirstAnswer).toBeGreaterThanOrEqual(10)
    expect(slow.received).toHaveLength(records.length)
    // A closed loop would lag by seconds here (request k waits k × 600 ms); allow for a busy machine.
    expect(summary.maxSendLagMs).toBeLessThan(1000)
    for (const record of records) expect(record.latencyMs).toBeGreaterThanOrEqual(600)
    expect(summary.byStatus['201']).toBe(records.length)
  })

  it('counts the 5xx share of coupon orders in its intervals and names the first failure', async () => {
    const shop = await server({ failCoupons: true })
    const { run, delivered } = await runFor(
      {
        targets: [shop.url],
        ratePerSecond: 100,
        generator: generator(3, 0.3),
        intervalMs: 100,
        timeoutMs: 5000,
      },
      4,
    )
    const summary = await run.stop()
    const records = run.requests()
    const answered = records.filter((r) => typeof r.status === 'number')
    expect(answered.length).toBeGreaterThan(20)
    // Every coupon order that got an answer got a 500, and nothing else did.
    for (const record of answered) expect(record.status === 500).toBe(record.couponCode !== null)
    expect(summary.byStatus['500']).toBe(answered.filter((r) => r.couponCode !== null).length)
    expect(summary.byStatus['500']).toBeGreaterThan(0)
    expect(summary.failures).toBe(records.filter((r) => r.status !== 201).length)
    expect(run.intervals().reduce((sum, i) => sum + i.failures, 0)).toBe(summary.failures)
    expect(run.intervals().reduce((sum, i) => sum + i.requests, 0)).toBe(records.length)
    expect(run.intervals().slice(0, delivered.length)).toEqual(delivered)
    for (const [k, interval] of run.intervals().entries()) {
      expect(interval.index).toBe(k)
      if (k > 0) expect(interval.start).toBe(run.intervals()[k - 1]!.end)
    }
    const first = summary.firstFailure!
    expect(first.observedAt).toBeGreaterThanOrEqual(first.scheduledAt)
    expect(records.find((r) => r.seq === first.request.seq)?.status).toBe(first.status)
  })

  it('sends the same request sequence for the same seed', async () => {
    const shop = await server()
    const sequences = []
    for (let i = 0; i < 2; i++) {
      shop.received.length = 0
      const { run } = await runFor(
        {
          targets: [shop.url],
          ratePerSecond: 100,
          generator: generator(42),
          intervalMs: 100,
          timeoutMs: 5000,
        },
        3,
      )
      await run.stop()
      const sent = run
        .requests()
        .map(({ seq, requestId, customerId, couponCode }) => ({ seq, requestId, customerId, couponCode }))
      // What reached the service is what the records say was sent (arrival order may differ from send order).
      const received = new Map(shop.received.map((r) => [r.requestId, r.body]))
      const answered = run.requests().filter((r) => r.status === 201)
      expect(answered.length).toBeGreaterThan(10)
      for (const request of answered) {
        expect(received.get(request.requestId)).toMatchObject({ customerId: request.customerId })
        expect(received.get(request.requestId)?.couponCode ?? null).toBe(request.couponCode)
      }
      sequences.push(sent)
    }
    const n = Math.min(sequences[0]!.length, sequences[1]!.length)
    expect(n).toBeGreaterThan(10)
    expect(sequences[1]!.slice(0, n)).toEqual(sequences[0]!.slice(0, n))
  })

  it('records timeouts and network errors as failures and sheds load past maxInFlight', async () => {
    const stuck = await server({ delayMs: 1000 })
    const { run } = await runFor(
      {
        targets: [stuck.url, await closedPortUrl()],
        ratePerSecond: 100,
        generator: generator(),
        intervalMs: 100,
        timeoutMs: 150,
        maxInFlight: 3,
      },
      3,
    )
    const summary = await run.stop()
    expect(summary.byStatus.timeout).toBeGreaterThan(0)
    expect(summary.byStatus['network-error']).toBeGreaterThan(0)
    expect(summary.dropped).toBeGreaterThan(0)
    expect(summary.byStatus.dropped).toBe(summary.dropped)
    expect(summary.failures).toBe(summary.byStatus.timeout! + summary.byStatus['network-error']!)
    expect(run.inFlight()).toBe(0)
  })

  it('schedules from the clock it is given and stops on its signal', async () => {
    const shop = await server()
    const clock = new ManualClock()
    const abort = new AbortController()
    const run = startTraffic({
      targets: [shop.url],
      ratePerSecond: 10,
      generator: generator(),
      clock,
      signal: abort.signal,
      intervalMs: 500,
      timeoutMs: 2000,
    })
    runs.push(run)
    await clock.advance(1000)
    abort.abort()
    const summary = await run.stop()
    expect(run.requests().map((r) => r.scheduledAt - run.startedAt)).toEqual([
      0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000,
    ])
    expect(summary.requests).toBe(11)
    expect(run.intervals().map((i) => i.requests)).toEqual([5, 5, 1])
    expect(shop.received).toHaveLength(11)
  })

  it('keeps only the first keepRequests records but counts every request', async () => {
    const shop = await server()
    const clock = new ManualClock()
    const run = startTraffic({
      targets: [shop.url],
      ratePerSecond: 10,
      generator: generator(),
      clock,
      intervalMs: 500,
      timeoutMs: 2000,
      keepRequests: 3,
    })
    runs.push(run)
    await clock.advance(1000)
    const summary = await run.stop()
    expect(run.requests().map((r) => r.seq)).toEqual([0, 1, 2])
    expect(summary.requests).toBe(11)
    expect(run.intervals().reduce((sum, i) => sum + i.requests, 0)).toBe(11)
  })

  it('refuses options it cannot run', () => {
    const valid: TrafficOptions = {
      targets: ['http://127.0.0.1:1'],
      ratePerSecond: 1,
      generator: generator(),
      intervalMs: 100,
      timeoutMs: 100,
    }
    for (const bad of [
      { ...valid, targets: [] },
      { ...valid, targets: ['not a url'] },
      { ...valid, ratePerSecond: 0 },
      { ...valid, intervalMs: 0 },
      { ...valid, maxInFlight: 0.5 },
      { ...valid, keepRequests: -1 },
    ]) {
      expect(() => startTraffic(bad)).toThrow(
        expect.objectContaining({ code: TrafficErrorCode.OPTIONS_INVALID }),
      )
    }
  })
})
