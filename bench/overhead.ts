import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { Queue } from 'bullmq'
import { systemClock } from '../record/clock/clock.ts'
import { JournalWriter } from '../record/journal/journal-writer.ts'
import { workbookPageRules } from '../record/timings/burn-rate-rule.ts'
import { FULFILMENT_QUEUE, keyspace } from '../services/platform/keys.ts'
import { createRedisConnection } from '../services/platform/redis/redis-connection.ts'
import type { RedisHandle } from '../services/platform/redis/redis-provisioner.ts'
import { startShop } from '../services/shop/start-shop.ts'
import { createBurnRateEvaluator } from '../simulator/detection/create-burn-rate-evaluator.ts'
import { createScraper } from '../simulator/detection/create-scraper.ts'
import { appendSyntheticIntervals } from './synthetic-intervals.ts'

export const CONNECTIONS = 10
export const ORDERS = 'orders:*'
const ORDER = {
  customerId: 'cus_bench',
  items: [
    { sku: 'TEA-1', qty: 2, unitPriceCents: 450 },
    { sku: 'MUG-2', qty: 1, unitPriceCents: 1200 },
  ],
  currency: 'EUR',
}

export interface Sample {
  loaded: boolean
  perSecond: number
  p99Ms: number
  bad: number
}

/**
 * Overhead: what a drill's own machinery costs the service under drill. One api instance of a shop started
 * with `startShop` (no workers: jobs wait in the queue), loaded by autocannon with the same settings each time
 * (10 connections, POST /orders with one fixed valid body), (a) alone and (b) while a scraper scrapes its
 * `/metrics` every 250 ms, a burn-rate evaluator evaluates the workbook's two rules every 250 ms and a
 * JournalWriter appends a traffic.interval event every 250 ms and the evaluator's sli.evaluated events, as a
 * drill does. a→b alternates `rounds` times so drift (JIT warm-up, Redis growing) falls on both sides.
 *
 * What shares the CPU (2 cores): the api, autocannon's load generator (programmatic, workers 0) and, in (b),
 * the scraper, evaluator and journal writer all run on this process's one event loop; Redis is its own process.
 * That is the drill's own layout (it runs the shop in its process), so (b)/(a) is the throughput the api keeps
 * while a drill watches it.
 */
export async function overhead(redis: RedisHandle, seconds: number, rounds: number) {
  const prefix = `bench-overhead-${process.pid}`
  const dir = await mkdtemp(join(tmpdir(), 'firedrill-bench-overhead-'))
  const shop = await startShop({
    redisUrl: redis.url,
    prefix,
    apiInstances: 1,
    workers: 0,
    flagsToken: 'bench',
  })
  const url = `${shop.apiUrls[0]!}/orders`
  const samples: Sample[] = []
  try {
    // Warm-up, not counted: the first seconds run cold code and would count against (a), which goes first.
    await load(url, Math.max(2, seconds))
    // Each measurement starts from an empty queue and no stored orders: without workers both only grow, and
    // a growing Redis would slow later measurements whichever side they are on.
    await dropKeys(redis.url, prefix, ORDERS)
    for (let round = 0; round < rounds; round++) {
      samples.push(await measure(url, seconds, false))
      await dropKeys(redis.url, prefix, ORDERS)
      const machinery = await startMachinery(shop.apiUrls, join(dir, `journal-${round}.jsonl`))
      try {
        samples.push(await measure(url, seconds, true))
      } finally {
        await machinery.stop()
      }
      await dropKeys(redis.url, prefix, ORDERS)
    }
  } finally {
    await shop.close()
    await dropKeys(redis.url, prefix, '*')
    await rm(dir, { recursive: true, force: true })
  }
  return describe(samples, seconds)
}

/** autocannon's load on one api instance: POST /orders with one fixed valid body, 10 connections. */
export function load(url: string, seconds: number) {
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ORDER),
  })
}

export async function measure(url: string, seconds: number, loaded: boolean): Promise<Sample> {
  const result = await load(url, seconds)
  return {
    loaded,
    perSecond: result['2xx'] / result.duration,
    p99Ms: result.latency.p99,
    bad: result.non2xx + result.errors + result.timeouts,
  }
}

/** What a drill runs besides its own traffic: scraping, evaluating, journaling. */
async function startMachinery(apiUrls: string[], journalFile: string) {
  const journal = await JournalWriter.create(journalFile, { clock: systemClock })
  const scraper = createScraper({ targets: apiUrls, intervalMs: 250, clock: systemClock })
  const evaluator = createBurnRateEvaluator({
    objective: 0.99,
    rules: workbookPageRules(240),
    evaluationIntervalMs: 250,
    clock: systemClock,
    source: scraper,
    onEvent: (event) => {
      if (event.type !== 'evaluated') return
      for (const r of event.rules) {
        const errorRatios: Record<string, number> = {}
        const burnRates: Record<string, number> = {}
        if (r.long.errorRatio !== null) errorRatios.long = r.long.errorRatio
        if (r.long.burnRate !== null) burnRates.long = r.long.burnRate
        journal
          .append({ type: 'sli.evaluated', data: { rule: r.rule, errorRatios, burnRates } })
          .catch(() => {})
      }
    },
  })
  const traffic = appendSyntheticIntervals(journal)
  scraper.start()
  evaluator.start()
  return {
    async stop() {
      clearInterval(traffic)
      await evaluator.stop()
      await scraper.stop()
      await journal.close()
    },
  }
}

/** The shop's queue and its keys matching `pattern` under the prefix (`*`: nothing of the benchmark stays). */
export async function dropKeys(redisUrl: string, prefix: string, pattern: string) {
  const redis = createRedisConnection(redisUrl, 'worker')
  try {
    const queue = new Queue(FULFILMENT_QUEUE, { connection: redis, prefix: keyspace(prefix).bullPrefix })
    await queue.obliterate({ force: true })
    await queue.close()
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:${pattern}`, 'COUNT', 1000)
      cursor = next
      if (keys.length > 0) await redis.unlink(...keys)
    } while (cursor !== '0')
  } finally {
    await redis.quit()
  }
}

function describe(samples: readonly Sample[], seconds: number) {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
  const alone = samples.filter((s) => !s.loaded)
  const watched = samples.filter((s) => s.loaded)
  const a = mean(alone.map((s) => s.perSecond))
  const b = mean(watched.map((s) => s.perSecond))
  const rounds = alone.map(
    (s, i) =>
      `  round ${i + 1}: (a) ${s.perSecond.toFixed(0)} req/s, p99 ${s.p99Ms} ms   (b) ${watched[i]!.perSecond.toFixed(0)} req/s, p99 ${watched[i]!.p99Ms} ms`,
  )
  const bad = samples.reduce((sum, s) => sum + s.bad, 0)
  const lines = [
    `overhead, 1 api instance, autocannon ${CONNECTIONS} connections × ${seconds} s, POST /orders, a→b × ${alone.length}`,
    ...rounds,
    `  (a) api alone                                   ${a.toFixed(0)} req/s (2xx, mean of ${alone.length})`,
    `  (b) + scrape, evaluate, journal every 250 ms    ${b.toFixed(0)} req/s (2xx, mean of ${watched.length})`,
    `  ratio (b / a) ${(b / a).toFixed(3)}   goal: ≥ 0.95${bad > 0 ? `   (${bad} non-2xx, errors or timeouts)` : ''}`,
  ]
  return { lines, alone: a, watched: b, ratio: b / a }
}
