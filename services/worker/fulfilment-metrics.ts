import type { Queue } from 'bullmq'
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const

/**
 * Upper bounds of `fulfilment_order_settlement_seconds`, in seconds: a fulfilment SLI's deadline ("orders paid
 * within D") must be one of them.
 */
export const ORDER_SETTLEMENT_BUCKETS: readonly number[] = Object.freeze([
  0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300,
])

/** The worker's metrics, in its own registry. Queue depth is read from Redis on each scrape. */
export function createFulfilmentMetrics(registry: Registry, queue: Queue) {
  return {
    completed: new Counter({
      name: 'fulfilment_jobs_completed_total',
      help: 'Fulfilment jobs completed (the order is paid, or was already settled).',
      registers: [registry],
    }),
    failed: new Counter({
      name: 'fulfilment_jobs_failed_total',
      help: 'Fulfilment jobs failed for good, by reason (card_declined, attempts_exhausted, provider_rejected, order_missing, stalled).',
      labelNames: ['reason'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'fulfilment_job_duration_seconds',
      help: 'Time spent on one processing attempt of a fulfilment job, by outcome (paid, skipped, retry, failed, deferred).',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    settlement: new Histogram({
      name: 'fulfilment_order_settlement_seconds',
      help: 'Time from an order entering the fulfilment queue to its settlement, by outcome (paid, failed, deferred: accepted with its charge deferred by the degrade switch, observed once).',
      labelNames: ['outcome'],
      buckets: [...ORDER_SETTLEMENT_BUCKETS],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'fulfilment_queue_depth',
      help: 'Jobs in the fulfilment queue, by state.',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        // While Redis is away the scrape still answers, with the last known depths.
        const counts = await queue.getJobCounts(...QUEUE_STATES).catch(() => undefined)
        if (counts === undefined) return
        for (const state of QUEUE_STATES) this.set({ state }, counts[state] ?? 0)
      },
    }),
    deferredCharges: new Counter({
      name: 'fulfilment_deferred_charges_total',
      help: 'Charges of orders the degrade switch had deferred, made once it was off again, by outcome (paid).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    chargeLookups: new Counter({
      name: 'fulfilment_charge_lookups_total',
      help: 'Asking the provider, before an order is failed, whether it charged: charged (the order is paid), not_charged, unavailable.',
      labelNames: ['result'],
      registers: [registry],
    }),
    paymentsRequests: new Counter({
      name: 'payments_requests_total',
      help: 'Requests to the payment provider, by status code (network_error when no answer came).',
      labelNames: ['status_code'],
      registers: [registry],
    }),
  }
}

export type FulfilmentMetrics = ReturnType<typeof createFulfilmentMetrics>
