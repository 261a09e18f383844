import type { JobsOptions } from 'bullmq'

/**
 * What the api puts on the `fulfilment` queue: just the order id; the worker reads the order from its store (and
 * notes on the job when it deferred the charge).
 */
export interface FulfilmentJobData {
  orderId: string
  /** When the worker first deferred the order's charge (the degrade switch was on); absent otherwise. */
  deferredAt?: string
}

export const FULFILMENT_JOB_NAME = 'charge'

/**
 * The job id is the order id, so enqueueing one order twice makes one job.
 * Attempts and backoff cover a provider's 5xx and 429 answers; declines fail at once (UnrecoverableError).
 */
export function fulfilmentJobOptions(orderId: string): JobsOptions {
  return {
    jobId: orderId,
    attempts: 8,
    backoff: { type: 'exponential', delay: 100 },
    removeOnComplete: { count: 1000 },
    removeOnFail: { count: 5000 },
  }
}
