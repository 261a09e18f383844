import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../record/clock/manual-clock.ts'
import { createScraper, type ScrapeTick } from './create-scraper.ts'
import { DetectionErrorCode } from './errors.ts'
import { type ShopMetricsTestServer, startShopMetricsTestServer } from './shop-metrics-test-server.ts'

const servers = new Set<ShopMetricsTestServer>()

async function instance(port?: number): Promise<ShopMetricsTestServer> {
  const server = await startShopMetricsTestServer(port)
  servers.add(server)
  return server
}

async function closeInstance(server: ShopMetricsTestServer): Promise<void> {
  servers.delete(server)
  await server.close()
}

afterEach(async () => {
  await Promise.all([...servers].map((s) => s.close()))
  servers.clear()
})

describe('scraper', () => {
  it('sums the orders SLI of two real instances, folds in a restart and carries a target that is down', async () => {
    const a = await instance()
    const b = await instance()
    const clock = new ManualClock()
    const scraper = createScraper({ targets: [a.url, b.url], intervalMs: 1000, clock })

    await a.answer(201, 3)
    await a.answer(500, 1)
    await b.answer(201, 2)
    const first = await scraper.scrapeOnce()
    expect([first.total, first.bad]).toEqual([0, 0]) // the first scrape is the baseline

    await clock.advance(1000)
    await a.answer(201, 2)
    await a.answer(503, 1)
    await a.answer(400, 2) // a bad request is the client's fault: counted, not bad
    await a.answer(200, 5, '/health') // another route: not in the SLI
    await b.answer(500, 1)
    const second = await scraper.scrapeOnce()
    expect([second.total, second.bad]).toEqual([6, 2])

    // a restarts on the same port: its counters start again from zero.
    const port = a.port
    await closeInstance(a)
    const restarted = await instance(port)
    await restarted.answer(201, 1)
    await restarted.answer(500, 1)
    await clock.advance(1000)
    const third = await scraper.scrapeOnce()
    expect([third.total, third.bad]).toEqual([8, 3])
    expect(third.targets.map((t) => t.reset)).toEqual([true, false])

    await closeInstance(b)
    await restarted.answer(201, 4)
    await clock.advance(1000)
    const fourth = await scraper.scrapeOnce()
    expect(fourth.targets.map((t) => t.up)).toEqual([1, 0])
    expect(fourth.targets[1]!.error).toBeTruthy()
    expect([fourth.total, fourth.bad]).toEqual([12, 3])

    const start = first.t
    expect(scraper.series()).toEqual([
      { t: start, total: 0, bad: 0 },
      { t: start + 1000, total: 6, bad: 2 },
      { t: start + 2000, total: 8, bad: 3 },
      { t: start + 3000, total: 12, bad: 3 },
    ])
  })

  it('scrapes on its interval of the clock until stopped', async () => {
    const a = await instance()
    const clock = new ManualClock()
    const ticks: ScrapeTick[] = []
    let waiting: { count: number; resolve: () => void } | null = null
    const scraper = createScraper({
      targets: [a.url],
      intervalMs: 500,
      clock,
      onScrape: (tick) => {
        ticks.push(tick)
        if (waiting !== null && ticks.length >= waiting.count) waiting.resolve()
      },
    })
    const scraped = (count: number) =>
      new Promise<void>((resolve) => {
        if (ticks.length >= count) resolve()
        else waiting = { count, resolve }
      })
    // Lets the scrape loop reach its sleep before the clock moves.
    const settle = () => new Promise((resolve) => setImmediate(resolve))

    scraper.start()
    await scraped(1)
    await settle()
    await a.answer(500, 2)
    await clock.advance(500)
    await scraped(2)
    await settle()
    await clock.advance(500)
    await scraped(3)
    await scraper.stop()
    expect(ticks.map((t) => t.t - ticks[0]!.t)).toEqual([0, 500, 1000])
    expect(ticks.map((t) => t.bad)).toEqual([0, 2, 2])
  })

  it('refuses to scrape nothing', () => {
    expect(() => createScraper({ targets: [], intervalMs: 1000, clock: new ManualClock() })).toThrow(
      expect.objectContaining({ code: DetectionErrorCode.OPTIONS_INVALID }),
    )
  })
})
