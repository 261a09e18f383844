import { DelayedError, type Job } from 'bullmq'
import type { FulfilmentJobData } from '../orders/fulfilment-job.ts'
import type { OrderStore } from '../orders/order-store.ts'

/**
 * The shop's degrade switch for the payment provider (a kill-switch flag in `services/flags/flags.json`): while
 * it is on, the workers call the provider for no order; each order is accepted with its charge deferred, and
 * charged once the switch is off again.
 */
export const DEFER_CHARGES_FLAG = 'payments.defer-charges'

/** How long a deferred order waits before a worker looks at it again. */
export const DEFER_RECHECK_MS = 5000

export interface ChargeDeferralDeps {
  store: Pick<OrderStore, 'get'>
  /** Whether this order's charge is to be deferred now (the degrade switch). Never throws. */
  chargesDeferred: (orderId: string) => Promise<boolean>
  /** Told once per order, the first time its charge is deferred, with how long it had been queued (s). */
  onDeferred: (queuedSeconds: number) => void
  now: () => Date
  /** @defaultValue DEFER_RECHECK_MS */
  recheckMs?: number
}

/**
 * Defers the job's charge when the degrade switch says so, without calling the provider: the order stays
 * pending, its job waits (delayed, so the reconciler leaves it alone and no attempt is spent) and comes back
 * every `recheckMs` until the switch is off, when it is charged like any order. The first deferral is recorded
 * on the job (`deferredAt`) and told to `onDeferred`: the order was handled then, deliberately.
 * Returns normally when there is nothing to defer (the switch is off, or the order is settled or gone);
 * otherwise throws BullMQ's `DelayedError`, which the processor must let through.
 */
export async function deferChargeIfSwitched(
  deps: ChargeDeferralDeps,
  job: Job<FulfilmentJobData>,
  token: string | undefined,
): Promise<void> {
  const { orderId } = job.data
  if (!(await deps.chargesDeferred(orderId))) return
  const order = await deps.store.get(orderId)
  if (order === undefined || order.status !== 'pending') return
  if (job.data.deferredAt === undefined) {
    const at = deps.now()
    await job.updateData({ ...job.data, deferredAt: at.toISOString() })
    deps.onDeferred(Math.max(0, (at.getTime() - job.timestamp) / 1000))
  }
  // BullMQ's delayed set is ordered by the wall clock, whatever clock the worker was given.
  await job.moveToDelayed(Date.now() + (deps.recheckMs ?? DEFER_RECHECK_MS), token)
  throw new DelayedError()
}
