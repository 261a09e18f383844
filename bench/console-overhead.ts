import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { systemClock } from '../record/clock/clock.ts'
import { JournalWriter } from '../record/journal/journal-writer.ts'
import { loadScenario } from '../record/scenario/load-scenario.ts'
import type { RedisHandle } from '../services/platform/redis/redis-provisioner.ts'
import { startShop } from '../services/shop/start-shop.ts'
import { DrillJournal } from '../simulator/drill/drill-journal.ts'
import { buildConsoleApp } from '../training/console/console-app.ts'
import { startShopWatch } from '../training/console/shop-watch.ts'
import { TrainingSession } from '../training/console/training-session.ts'
import { CONNECTIONS, dropKeys, load, measure, ORDERS, type Sample } from './overhead.ts'
import { appendSyntheticIntervals } from './synthetic-intervals.ts'

/**
 * The training console's overhead on the shop: the throughput one api instance keeps (a) as `firedrill run`
 * starts it, with no console, and (b) as `firedrill train` starts it, with the console: the shop's logs going to
 * the console, the console serving a trainee's page that is connected to its event stream (read over a real
 * loopback socket), the watch reading the provider's status and the queue's depth every second, and the
 * journal's traffic intervals (every 250 ms, as a drill writes them) re-sending the whole view. autocannon loads
 * both the same way (as the overhead bench does); a→b then b→a, `rounds` times, so drift falls on both sides.
 * The two shops are started once each, side by side on one Redis, and only the one being measured is loaded.
 * The issue's target is a ratio (b / a) of at least 0.97. On a machine shared with other work, throughput swings
 * far more than 3 % from one measurement to the next; the CPU time this process spends per answer (the shop,
 * autocannon and the console all run on it) is printed too, as a figure other processes disturb much less.
 */
export async function consoleOverhead(redis: RedisHandle, seconds: number, rounds: number) {
  const dir = await mkdtemp(join(tmpdir(), 'firedrill-bench-console-overhead-'))
  const plain = `bench-console-a-${process.pid}`
  const watched = `bench-console-b-${process.pid}`
  const session = new TrainingSession({ loaded: await loadScenario('bad-pricing'), trainee: 'bench' })
  const shops = {
    a: await startShop({
      redisUrl: redis.url,
      prefix: plain,
      apiInstances: 1,
      workers: 0,
      flagsToken: 'bench',
    }),
    b: await startShop({
      redisUrl: redis.url,
      prefix: watched,
      apiInstances: 1,
      workers: 0,
      flagsToken: 'bench',
      logger: session.shopLogs.logger,
    }),
  }
  const urls = { a: `${shops.a.apiUrls[0]!}/orders`, b: `${shops.b.apiUrls[0]!}/orders` }
  const samples: Sample[] = []
  /** This process's CPU time per 2xx answer (µs) in each measurement: the shop, autocannon and the console. */
  const cpu: { loaded: boolean; perRequestUs: number }[] = []
  const timed = async (url: string, loaded: boolean) => {
    const start = process.cpuUsage()
    const sample = await measure(url, seconds, loaded)
    const used = process.cpuUsage(start)
    cpu.push({ loaded, perRequestUs: (used.user + used.system) / Math.max(1, sample.perSecond * seconds) })
    samples.push(sample)
  }
  let pageBytes = 0
  try {
    // Warm-up, not counted: both shops run the same code, so one warm-up serves both.
    await load(urls.a, Math.max(2, seconds))
    await load(urls.b, Math.max(2, seconds))
    const alone = async () => {
      await dropKeys(redis.url, plain, ORDERS)
      await timed(urls.a, false)
    }
    const withConsole = async (round: number) => {
      await dropKeys(redis.url, watched, ORDERS)
      const running = await startConsole(session, redis.url, watched, join(dir, `journal-${round}.jsonl`))
      try {
        await timed(urls.b, true)
      } finally {
        pageBytes += await running.stop()
      }
    }
    // a→b, then b→a: whatever the machine does over time (other work, Redis growing) falls on both sides.
    for (let round = 0; round < rounds; round++) {
      if (round % 2 === 0) {
        await alone()
        await withConsole(round)
      } else {
        await withConsole(round)
        await alone()
      }
    }
  } finally {
    session.close()
    await shops.a.close()
    await shops.b.close()
    await dropKeys(redis.url, plain, '*')
    await dropKeys(redis.url, watched, '*')
    await rm(dir, { recursive: true, force: true })
  }
  return describe(samples, cpu, seconds, pageBytes)
}

/** The console as a training drill runs it, with a trainee's page connected; `stop` says how much it was sent. */
async function startConsole(session: TrainingSession, redisUrl: string, prefix: string, journalFile: string) {
  const journal = new DrillJournal(await JournalWriter.create(journalFile, { clock: systemClock }))
  session.attach(journal)
  const watch = startShopWatch({ redisUrl, prefix })
  session.watchShop(watch)
  const app = buildConsoleApp({ session })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('the console has no TCP address')
  const page = new AbortController()
  const response = await fetch(
    `http://127.0.0.1:${address.port}/api/trainee/events?token=${session.tokens.trainee}`,
    { signal: page.signal },
  )
  let bytes = 0
  const reading = (async () => {
    const reader = response.body!.getReader()
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) return
        bytes += value.byteLength
      }
    } catch {
      // the page closed at the end of the measurement
    }
  })()
  const traffic = appendSyntheticIntervals(journal)
  return {
    async stop(): Promise<number> {
      clearInterval(traffic)
      page.abort()
      await reading
      await watch.stop()
      await app.close()
      await journal.close()
      return bytes
    },
  }
}

function describe(
  samples: readonly Sample[],
  cpu: readonly { loaded: boolean; perRequestUs: number }[],
  seconds: number,
  pageBytes: number,
) {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
  const alone = samples.filter((s) => !s.loaded)
  const watched = samples.filter((s) => s.loaded)
  const a = mean(alone.map((s) => s.perSecond))
  const b = mean(watched.map((s) => s.perSecond))
  const rounds = alone.map(
    (s: Sample, i: number) =>
      `  round ${i + 1}: (a) ${s.perSecond.toFixed(0)} req/s, p99 ${s.p99Ms} ms   (b) ${watched[i]!.perSecond.toFixed(0)} req/s, p99 ${watched[i]!.p99Ms} ms`,
  )
  // Each round's two measurements ran back to back: their ratio is the least disturbed by the machine's other
  // work, and the median of those ratios the least by a round that other work hit hard.
  const ratios = alone.map((s, i) => watched[i]!.perSecond / s.perSecond).sort((x, y) => x - y)
  const median =
    ratios[Math.floor((ratios.length - 1) / 2)]! / 2 + ratios[Math.ceil((ratios.length - 1) / 2)]! / 2
  const cpuA = mean(cpu.filter((c) => !c.loaded).map((c) => c.perRequestUs))
  const cpuB = mean(cpu.filter((c) => c.loaded).map((c) => c.perRequestUs))
  const bad = samples.reduce((sum, s) => sum + s.bad, 0)
  const lines = [
    `console overhead, 1 api instance, autocannon ${CONNECTIONS} connections × ${seconds} s, POST /orders, a→b, b→a… × ${alone.length}`,
    ...rounds,
    `  (a) shop as firedrill run starts it, no console      ${a.toFixed(0)} req/s (2xx, mean of ${alone.length})`,
    `  (b) + console: shop logs, watch, a connected page    ${b.toFixed(0)} req/s (2xx, mean of ${watched.length}; the page got ${(pageBytes / 1024 / Math.max(1, watched.length * seconds)).toFixed(0)} KiB/s)`,
    `  CPU time of this process per 2xx answer (shop, autocannon, console): (a) ${cpuA.toFixed(0)} µs  (b) ${cpuB.toFixed(0)} µs  a/b ${(cpuA / cpuB).toFixed(3)}`,
    `  ratio (b / a) ${median.toFixed(3)} (median of the rounds' ratios; of the means ${(b / a).toFixed(3)})   goal: ≥ 0.97${bad > 0 ? `   (${bad} non-2xx, errors or timeouts)` : ''}`,
  ]
  return { lines, alone: a, watched: b, ratio: median, cpuRatio: cpuA / cpuB }
}
