import { randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import { buildApp } from '../../api/build-app.ts'
import { staticFlags } from '../../api/flag-evaluator.ts'
import type { FulfilmentJobData } from '../../orders/fulfilment-job.ts'
import type { Order } from '../../orders/order.ts'
import { RedisOrderStore } from '../../orders/redis-order-store.ts'
import { listCharges } from '../../payments/charge-ledger.ts'
import { RedisFaultModeStore } from '../../payments/fault-mode-store.ts'
import { FULFILMENT_QUEUE, keyspace } from '../../platform/keys.ts'
import { closeConnection, createRedisConnection } from '../../platform/redis/redis-connection.ts'
import { spawnWorkerProcess, type WorkerProcess } from '../worker-process.ts'
import { drawBetween, seededRandom } from './seeded-random.ts'

export interface KillPatternOptions {
  /** A Redis the pattern may write to; everything goes under a fresh prefix, removed afterwards. */
  redisUrl: string
  /** Orders placed through the checkout api before the first kill. */
  orders: number
  /** Worker processes killed with SIGKILL, one at a time; each is replaced by a fresh process. */
  kills: number
  /** Wait before each kill, drawn from [min, max] ms. */
  killGapMs: readonly [number, number]
  /** The workers' lock duration (FIREDRILL_WORKER_LOCK_DURATION_MS). */
  lockMs: number
  /** The workers' stalled-job check interval (FIREDRILL_WORKER_STALLED_INTERVAL_MS). */
  stalledMs: number
  /** The provider records each charge, then answers this many ms later (0: at once). */
  providerDelayMs: number
  /** Seeds every choice the pattern makes: the gaps, which worker dies, the customers. */
  seed: number
  /** Worker processes running at once. @defaultValue 3 */
  workers?: number
  /** Jobs each worker runs at once. @defaultValue 4 */
  concurrency?: number
  /** How long a worker waits for the provider's answer (FIREDRILL_WORKER_PAYMENTS_TIMEOUT_MS). @defaultValue the worker's */
  paymentsTimeoutMs?: number
  /** How often a worker settles orders whose job ended (FIREDRILL_WORKER_RECONCILE_INTERVAL_MS). @defaultValue the worker's */
  reconcileIntervalMs?: number
  /** How long to wait, after the last kill, for every order to settle. @defaultValue 60000 */
  settleTimeoutMs?: number
}

export interface KillPatternReport {
  /** Orders the api answered 201. */
  accepted: number
  paid: number
  failed: number
  /** Accepted orders still pending when the wait ended. */
  pending: number
  /** Accepted orders that are not in the order store, or pending with no job left to settle them. */
  lost: number
  /** Orders the provider charged more than once. */
  doubleCharges: number
  /** Orders marked failed although the provider charged them. */
  chargedButFailed: number
  /** Orders marked paid with no charge at the provider, or with another charge than the one recorded. */
  paidWithoutCharge: number
  /** Worker processes killed. */
  killed: number
  durationMs: number
  /** Where the time went: starting the workers, placing the orders, the kills, the wait for every order. */
  phasesMs: { start: number; place: number; kill: number; settle: number }
}

/** How long a worker process may take to start on a busy machine. */
const SPAWN_TIMEOUT_MS = 60_000

const LIVE_JOB_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'])

/**
 * The harsh fault pattern for the fulfilment worker: `orders` orders through the real checkout api, worker
 * processes SIGKILLed `kills` times `killGapMs` apart while the provider answers `providerDelayMs` after it
 * charged, then a wait for every order to settle and a count of what went wrong. Choices come from `seed`;
 * timings are real, so two runs differ in what the kills hit, not in what they aim at.
 */
export async function runKillPattern(options: KillPatternOptions): Promise<KillPatternReport> {
  const started = Date.now()
  const random = seededRandom(options.seed)
  const prefix = `kill-pattern-${randomUUID()}`
  const apiKey = `sk_test_${randomUUID()}`
  const redis = createRedisConnection(options.redisUrl, 'worker')
  const queue = new Queue<FulfilmentJobData>(FULFILMENT_QUEUE, {
    connection: redis,
    prefix: keyspace(prefix).bullPrefix,
  })
  const pool = new WorkerPool(options, prefix, apiKey)
  const app = await buildApp({ redisUrl: options.redisUrl, prefix, flags: staticFlags({}) })
  try {
    if (options.providerDelayMs > 0) {
      await new RedisFaultModeStore(redis, prefix).set({
        mode: 'timeout-after-charge',
        ms: options.providerDelayMs,
      })
    }
    const lap = stopwatch()
    await pool.start(options.workers ?? 3)
    await app.listen({ host: '127.0.0.1', port: 0 })
    const start = lap()
    const { port } = app.server.address() as AddressInfo
    const accepted = await placeOrders(`http://127.0.0.1:${port}`, options.orders, random)
    const place = lap()

    let killed = 0
    for (let i = 0; i < options.kills; i++) {
      await sleep(drawBetween(random, options.killGapMs))
      if (await pool.killOne(random)) killed++
    }
    const kill = lap()

    const store = new RedisOrderStore(redis, prefix)
    const deadline = Date.now() + (options.settleTimeoutMs ?? 60_000)
    let orders = await readOrders(store, accepted)
    while (orders.some((order) => order?.status === 'pending') && Date.now() < deadline) {
      await sleep(100)
      orders = await readOrders(store, accepted)
    }
    const settle = lap()
    const report = await count(redis, prefix, queue, accepted, orders)
    return { ...report, killed, durationMs: Date.now() - started, phasesMs: { start, place, kill, settle } }
  } finally {
    await pool.stop()
    await app.close()
    await queue.obliterate({ force: true }).catch(() => {})
    await queue.close()
    await dropPrefix(redis, prefix)
    await closeConnection(redis)
  }
}

async function placeOrders(baseUrl: string, orders: number, random: () => number): Promise<string[]> {
  const accepted: string[] = []
  const batch = 20
  for (let start = 0; start < orders; start += batch) {
    const bodies = Array.from({ length: Math.min(batch, orders - start) }, () => ({
      customerId: `cus_${drawBetween(random, [1, 500])}`,
      items: [
        {
          sku: `sku-${drawBetween(random, [1, 50])}`,
          qty: drawBetween(random, [1, 3]),
          unitPriceCents: 1250,
        },
      ],
      currency: 'EUR',
    }))
    const answers = await Promise.all(
      bodies.map(async (body) => {
        const response = await fetch(`${baseUrl}/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(10_000),
        })
        const json = (await response.json()) as { orderId?: string }
        return response.status === 201 ? json.orderId : undefined
      }),
    )
    for (const id of answers) if (id !== undefined) accepted.push(id)
  }
  return accepted
}

function readOrders(store: RedisOrderStore, ids: readonly string[]): Promise<(Order | undefined)[]> {
  return Promise.all(ids.map((id) => store.get(id)))
}

async function count(
  redis: Redis,
  prefix: string,
  queue: Queue<FulfilmentJobData>,
  accepted: readonly string[],
  orders: readonly (Order | undefined)[],
): Promise<Omit<KillPatternReport, 'killed' | 'durationMs' | 'phasesMs'>> {
  const charges = new Map<string, string[]>()
  for (const charge of await listCharges(redis, prefix)) {
    charges.set(charge.orderId, [...(charges.get(charge.orderId) ?? []), charge.id])
  }
  const report = {
    accepted: accepted.length,
    paid: 0,
    failed: 0,
    pending: 0,
    lost: 0,
    doubleCharges: 0,
    chargedButFailed: 0,
    paidWithoutCharge: 0,
  }
  for (const [i, id] of accepted.entries()) {
    const order = orders[i]
    const charged = charges.get(id) ?? []
    if (charged.length > 1) report.doubleCharges++
    if (order === undefined) {
      report.lost++
      continue
    }
    if (order.status === 'paid') {
      report.paid++
      if (order.chargeId === undefined || !charged.includes(order.chargeId)) report.paidWithoutCharge++
    } else if (order.status === 'failed') {
      report.failed++
      if (charged.length > 0) report.chargedButFailed++
    } else {
      report.pending++
      if (!LIVE_JOB_STATES.has(await queue.getJobState(id))) report.lost++
    }
  }
  return report
}

/** Worker processes of one shop; a killed one is replaced at once, and counts as live once it is ready. */
class WorkerPool {
  readonly #live: WorkerProcess[] = []
  readonly #starting = new Set<Promise<void>>()
  readonly #env: Record<string, string>

  constructor(options: KillPatternOptions, prefix: string, apiKey: string) {
    this.#env = {
      REDIS_URL: options.redisUrl,
      FIREDRILL_PREFIX: prefix,
      FIREDRILL_PAYMENTS_API_KEY: apiKey,
      FIREDRILL_WORKER_CONCURRENCY: String(options.concurrency ?? 4),
      FIREDRILL_WORKER_LOCK_DURATION_MS: String(options.lockMs),
      FIREDRILL_WORKER_STALLED_INTERVAL_MS: String(options.stalledMs),
    }
    if (options.paymentsTimeoutMs !== undefined)
      this.#env.FIREDRILL_WORKER_PAYMENTS_TIMEOUT_MS = String(options.paymentsTimeoutMs)
    if (options.reconcileIntervalMs !== undefined)
      this.#env.FIREDRILL_WORKER_RECONCILE_INTERVAL_MS = String(options.reconcileIntervalMs)
  }

  async start(count: number): Promise<void> {
    for (let i = 0; i < count; i++) this.#spawn()
    await Promise.all(this.#starting)
  }

  /** SIGKILLs one live worker picked with `random` and starts its replacement; false when none was live. */
  async killOne(random: () => number): Promise<boolean> {
    if (this.#live.length === 0 && this.#starting.size > 0) {
      await Promise.race([...this.#starting].map((starting) => starting.catch(() => {})))
    }
    if (this.#live.length === 0) return false
    const [victim] = this.#live.splice(Math.floor(random() * this.#live.length), 1)
    victim!.child.kill('SIGKILL')
    await victim!.exited
    this.#spawn()
    return true
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.#starting)
    await Promise.all(
      this.#live.splice(0).map(async (worker) => {
        worker.child.kill('SIGKILL')
        await worker.exited
      }),
    )
  }

  #spawn(): void {
    const starting = spawnWorkerProcess(this.#env, SPAWN_TIMEOUT_MS).then((worker) => {
      this.#live.push(worker)
    })
    this.#starting.add(starting)
    void starting.finally(() => this.#starting.delete(starting)).catch(() => {})
  }
}

async function dropPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500)
    cursor = next
    if (keys.length > 0) await redis.unlink(...keys)
  } while (cursor !== '0')
}

/** Each call returns the ms since the previous one (or since the stopwatch was made). */
function stopwatch(): () => number {
  let last = Date.now()
  return () => {
    const now = Date.now()
    const lap = now - last
    last = now
    return lap
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
