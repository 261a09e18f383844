import type { Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import type { FulfilmentJobData } from '../orders/fulfilment-job.ts'
import type { OrderStore } from '../orders/order-store.ts'
import type { Logger } from '../platform/logger.ts'
import { type FulfilmentFailureReason, failureReasonOf } from './fulfilment-aborted-error.ts'
import type { SettleOutcome } from './settle-unpaid-order.ts'

/** Job states in which a job will still run, and settle its order itself. */
const LIVE_JOB_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'])

/** An order whose job cannot be found is left alone this long: the api stores an order, then enqueues it. */
export const JOB_MISSING_GRACE_MS = 60_000

/** Pending orders looked at per sweep; the next sweep goes on from there. */
const SWEEP_SIZE = 200

export interface OrderReconcilerOptions {
  store: OrderStore
  queue: Queue<FulfilmentJobData>
  redis: Redis
  /** The reconciler's lock key: one worker of the shop sweeps at a time. */
  lockKey: string
  settle: (orderId: string, reason: FulfilmentFailureReason) => Promise<SettleOutcome>
  /** Time between sweeps. */
  intervalMs: number
  now: () => Date
  logger: Logger
}

export interface OrderReconciler {
  /** One sweep now (what the timer runs); resolves with the orders it settled. */
  sweep(): Promise<number>
  /** Stops the timer and waits for a sweep under way. */
  close(): Promise<void>
}

/**
 * Settles the orders nobody else will: pending orders whose job has failed for good (a worker died between
 * the job's failure and the order's, or could not decide then), finished without settling them (fenced), or
 * vanished. Each goes through `settle`, which asks the provider before failing anything.
 */
export function startOrderReconciler(options: OrderReconcilerOptions): OrderReconciler {
  const { store, queue, logger } = options
  const owner = `${process.pid}-${Math.random().toString(36).slice(2)}`
  let offset = 0
  let timer: NodeJS.Timeout | undefined
  let running: Promise<number> | undefined
  let closed = false

  async function reasonFor(orderId: string, state: string): Promise<FulfilmentFailureReason> {
    if (state === 'unknown') return 'job_missing'
    const job = await queue.getJob(orderId)
    return failureReasonOf(job?.failedReason)
  }

  async function sweepOnce(): Promise<number> {
    const locked = await options.redis.set(options.lockKey, owner, 'PX', options.intervalMs, 'NX')
    if (locked === null) return 0
    const pending = await store.pendingOrders(offset, SWEEP_SIZE)
    offset = pending.length < SWEEP_SIZE ? 0 : offset + pending.length
    let settled = 0
    for (const { id, createdAtMs } of pending) {
      if (closed) break
      const state = await queue.getJobState(id)
      if (LIVE_JOB_STATES.has(state)) continue
      if (state === 'unknown' && options.now().getTime() - createdAtMs < JOB_MISSING_GRACE_MS) continue
      const outcome = await options.settle(id, await reasonFor(id, state))
      if (outcome.outcome === 'paid' || outcome.outcome === 'failed') settled++
      logger.info({ orderId: id, jobState: state, ...outcome }, 'reconciled a pending order')
    }
    return settled
  }

  function sweep(): Promise<number> {
    running ??= sweepOnce().finally(() => {
      running = undefined
    })
    return running
  }

  function schedule(): void {
    if (closed) return
    timer = setTimeout(() => {
      sweep()
        .catch((err: unknown) => logger.warn({ err }, 'order reconciliation failed; trying again'))
        .finally(schedule)
    }, options.intervalMs)
  }

  schedule()
  return {
    sweep,
    async close() {
      closed = true
      clearTimeout(timer)
      await running?.catch(() => {})
    },
  }
}
