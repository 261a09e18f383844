import { randomUUID } from 'node:crypto'
import { DelayedError, Queue, UnrecoverableError, Worker } from 'bullmq'
import pino from 'pino'
import { Registry } from 'prom-client'
import { createFlagClient, type FlagClient } from '../flags/index.ts'
import { type LeaseWatchdog, startLeaseWatchdog } from '../leases/index.ts'
import type { FulfilmentJobData } from '../orders/fulfilment-job.ts'
import type { Order } from '../orders/order.ts'
import { RedisOrderStore } from '../orders/redis-order-store.ts'
import { registerPaymentsAccount } from '../payments/payments-accounts.ts'
import { PaymentsClient } from '../payments/payments-client.ts'
import { installPaymentsProvider } from '../payments/payments-provider.ts'
import { RedisUnreachableError } from '../platform/errors.ts'
import { FULFILMENT_QUEUE, keyspace } from '../platform/keys.ts'
import type { Logger } from '../platform/logger.ts'
import { createRedisConnection, waitForReady } from '../platform/redis/redis-connection.ts'
import { DEFER_CHARGES_FLAG, deferChargeIfSwitched } from './charge-deferral.ts'
import { type FulfilmentDeps, type FulfilmentResult, fulfilOrder } from './fulfil-order.ts'
import { type FulfilmentFailureReason, failureReasonOf } from './fulfilment-aborted-error.ts'
import { createFulfilmentMetrics } from './fulfilment-metrics.ts'
import { FULFILMENT_QUEUE_PAUSE_LEASE, fulfilmentQueuePauseReverter } from './fulfilment-queue-pause.ts'
import { type OrderReconciler, startOrderReconciler } from './order-reconciler.ts'
import { settleUnpaidOrder } from './settle-unpaid-order.ts'

/** A charge attempt's lease outlasts the client's wait for an answer by this much. */
const CHARGE_LEASE_MARGIN_MS = 2000

export interface FulfilmentWorkerOptions {
  redisUrl: string
  /** The shop's key prefix. */
  prefix: string
  /** The shop's api key at the payment provider. */
  apiKey: string
  /** Jobs processed at once. @defaultValue 1 */
  concurrency?: number
  /** How often stalled jobs (of a dead worker) are looked for. @defaultValue 30000 */
  stalledIntervalMs?: number
  /** How long a job's lock lasts without renewal. @defaultValue 30000 */
  lockDurationMs?: number
  /** How often pending orders whose job has ended are looked for and settled. @defaultValue 5000 */
  reconcileIntervalMs?: number
  /** How long the payments client waits for an answer. @defaultValue 10000 */
  paymentsTimeoutMs?: number
  /**
   * Whether an order's charge is to be deferred now (the degrade switch, `payments.defer-charges`). Never
   * throws. @defaultValue the flag, read through an OpenFeature client of the worker's own
   */
  chargesDeferred?: (orderId: string) => Promise<boolean>
  /** How long a deferred order waits before it is looked at again. @defaultValue DEFER_RECHECK_MS (5000) */
  deferRecheckMs?: number
  /** How often the worker's flag provider resyncs, besides listening for changes. @defaultValue 5000 */
  flagsResyncIntervalMs?: number
  /**
   * How often the worker looks for a pause of the queue whose lease has lapsed (and resumes it).
   * @defaultValue 500
   */
  leaseCheckIntervalMs?: number
  /** @defaultValue no logging */
  logger?: Logger
  /** @defaultValue a new registry */
  registry?: Registry
  /** @defaultValue () => new Date() */
  now?: () => Date
}

export interface FulfilmentWorker {
  worker: Worker<FulfilmentJobData, FulfilmentResult>
  registry: Registry
  reconciler: OrderReconciler
  /** Resumes the queue when a pause made under a drill's lease outlives that lease. */
  leases: LeaseWatchdog
  /** Lets the jobs in hand finish, then closes the worker's connections. Safe to call twice. */
  close(): Promise<void>
}

/**
 * Starts a fulfilment worker: it charges each order on the `fulfilment` queue through the payment provider
 * (virtualised in this process) and settles it in the order store.
 * A 5xx or no answer backs off exponentially (the job's options); a 429 also holds the whole queue back for
 * its Retry-After; a declined card or a refused request fails the job at once and the order with it. An order
 * is failed only after the provider, asked by idempotency key, says it charged nothing (`settleUnpaidOrder`);
 * a reconciler settles pending orders whose job ended without settling them. While the degrade switch is on,
 * no order is charged: each is deferred (`deferChargeIfSwitched`) and charged once the switch is off.
 * A pause of the queue made under a lease (`FULFILMENT_QUEUE_PAUSE_LEASE`) is undone by every worker once that
 * lease lapses: a drill that dies never leaves the shop's orders held.
 */
export async function startFulfilmentWorker(options: FulfilmentWorkerOptions): Promise<FulfilmentWorker> {
  const logger = options.logger ?? pino({ level: 'silent' })
  const registry = options.registry ?? new Registry()
  const now = options.now ?? (() => new Date())
  const keys = keyspace(options.prefix)

  // The degrade switch, read through a flag client of the worker's own once Redis answers (below).
  let flags: FlagClient | undefined
  const chargesDeferred =
    options.chargesDeferred ??
    (async (orderId: string) => flags?.isEnabled(DEFER_CHARGES_FLAG, orderId, false) ?? false)
  const connection = createRedisConnection(options.redisUrl, 'worker')
  installPaymentsProvider()
  const unregister = registerPaymentsAccount({
    apiKey: options.apiKey,
    redis: connection,
    prefix: options.prefix,
  })
  const queue = new Queue<FulfilmentJobData>(FULFILMENT_QUEUE, { connection, prefix: keys.bullPrefix })
  queue.on('error', (err) => logger.warn({ err }, 'fulfilment queue connection error'))
  const metrics = createFulfilmentMetrics(registry, queue)
  const store = new RedisOrderStore(connection, options.prefix)
  const payments = new PaymentsClient({
    apiKey: options.apiKey,
    ...(options.paymentsTimeoutMs === undefined ? {} : { timeoutMs: options.paymentsTimeoutMs }),
    onResponse: (statusCode) => metrics.paymentsRequests.inc({ status_code: statusCode }),
  })
  const deps: FulfilmentDeps = {
    store,
    payments,
    now,
    logger,
    pauseQueue: (ms: number) => queue.rateLimit(ms),
    chargeLeaseMs: payments.timeoutMs + CHARGE_LEASE_MARGIN_MS,
    onLookup: (result) => metrics.chargeLookups.inc({ result }),
    // An order settled without a charge of this attempt's (failed, or found charged): queue entry → settled.
    onSettled: (order: Order, outcome: 'paid' | 'failed') =>
      metrics.settlement.observe({ outcome }, (now().getTime() - Date.parse(order.createdAt)) / 1000),
  }
  const settle = (orderId: string, reason: FulfilmentFailureReason) =>
    settleUnpaidOrder(deps, orderId, reason)

  const worker = new Worker<FulfilmentJobData, FulfilmentResult>(
    FULFILMENT_QUEUE,
    async (job, token) => {
      const stop = metrics.duration.startTimer()
      try {
        await deferChargeIfSwitched(
          {
            store,
            chargesDeferred,
            now,
            onDeferred: (queuedSeconds) => metrics.settlement.observe({ outcome: 'deferred' }, queuedSeconds),
            ...(options.deferRecheckMs === undefined ? {} : { recheckMs: options.deferRecheckMs }),
          },
          job,
          token,
        )
        const result = await fulfilOrder(deps, job)
        stop({ outcome: result.chargeId === undefined ? 'skipped' : 'paid' })
        // Settled by this attempt (it charged, or found its charge): observed as it settles, not once BullMQ
        // has moved the job on. A job that only finds its order settled was observed by the attempt that settled it.
        // An order deferred earlier was observed when it was deferred: its charge now is counted apart.
        if (result.chargeId !== undefined && job.data.deferredAt !== undefined)
          metrics.deferredCharges.inc({ outcome: result.status })
        else if (result.chargeId !== undefined)
          metrics.settlement.observe({ outcome: result.status }, (now().getTime() - job.timestamp) / 1000)
        return result
      } catch (err) {
        stop({
          outcome:
            err instanceof DelayedError ? 'deferred' : err instanceof UnrecoverableError ? 'failed' : 'retry',
        })
        throw err
      }
    },
    {
      connection,
      prefix: keys.bullPrefix,
      concurrency: options.concurrency ?? 1,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      lockDuration: options.lockDurationMs ?? 30_000,
      // Only there so that a 429's Retry-After (queue.rateLimit) holds the workers back; never reached otherwise.
      limiter: { max: 1_000_000, duration: 1000 },
    },
  )
  worker.on('error', (err) => logger.warn({ err }, 'fulfilment worker error'))
  worker.on('completed', (_job, result) => {
    metrics.completed.inc()
    logger.info({ ...result }, 'order fulfilled')
  })
  worker.on('failed', (job, err) => {
    if (job === undefined) return
    const final = err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1)
    if (!final) return
    const reason = failureReasonOf(err)
    metrics.failed.inc({ reason })
    logger.warn({ orderId: job.data.orderId, reason, attempts: job.attemptsMade }, 'fulfilment job failed')
    // Also covers a job failed without the processor's say (stalled too often, maybe while another worker
    // still charges it): the order is settled by asking the provider, or left to the reconciler.
    settle(job.data.orderId, reason).catch((settleErr: unknown) => {
      logger.error({ err: settleErr, orderId: job.data.orderId }, 'could not settle the failed order')
    })
  })

  try {
    await Promise.all([waitForReady(connection), worker.waitUntilReady()])
    if (options.chargesDeferred === undefined)
      flags = await createFlagClient({
        redisUrl: options.redisUrl,
        prefix: options.prefix,
        domain: `${options.prefix}:worker-${randomUUID()}`,
        ...(options.flagsResyncIntervalMs === undefined
          ? {}
          : { resyncIntervalMs: options.flagsResyncIntervalMs }),
      })
  } catch (cause) {
    unregister()
    connection.disconnect()
    void worker.close(true).catch(() => {})
    void queue.close().catch(() => {})
    throw new RedisUnreachableError(options.redisUrl, 'the worker options (REDIS_URL)', cause)
  }

  const reconciler = startOrderReconciler({
    store,
    queue,
    redis: connection,
    lockKey: keys.ordersReconcileLock,
    settle,
    intervalMs: options.reconcileIntervalMs ?? 5000,
    now,
    logger,
  })

  // The dead man's switch for a pause: a queue paused under a lease that lapsed is resumed, checked at once (a
  // worker that starts after its drill died) and every `leaseCheckIntervalMs`.
  const leases = startLeaseWatchdog({
    redis: connection,
    prefix: options.prefix,
    claimant: `fulfilment worker ${process.pid}`,
    reverters: { [FULFILMENT_QUEUE_PAUSE_LEASE]: fulfilmentQueuePauseReverter(queue) },
    intervalMs: options.leaseCheckIntervalMs ?? 500,
    onReverted: ({ reason }) =>
      logger.warn({ reason }, 'fulfilment queue resumed: its pause outlived its lease'),
    onError: (err) => logger.warn({ err }, 'lease check failed; trying again'),
  })
  void leases.check()

  let closing: Promise<void> | undefined
  return {
    worker,
    registry,
    reconciler,
    leases,
    close() {
      closing ??= (async () => {
        leases.stop()
        await reconciler.close()
        await worker.close()
        await queue.close()
        unregister()
        await flags?.close()
        await connection.quit()
      })()
      return closing
    },
  }
}
