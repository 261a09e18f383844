import type { Queue } from 'bullmq'
import type { Reverter } from '../leases/index.ts'

/**
 * The lease kind a pause of the fulfilment queue is registered under (target: the queue's name). A pause is a
 * change to shared state like a flag turned on: whoever pauses the queue under a lease registers it first, and
 * once that lease lapses every fulfilment worker watching the leases resumes the queue.
 */
export const FULFILMENT_QUEUE_PAUSE_LEASE = 'fulfilment-queue-paused'

/** Resumes the fulfilment queue whose pause outlived its lease; a queue already running needs nothing. */
export function fulfilmentQueuePauseReverter(queue: Pick<Queue, 'isPaused' | 'resume'>): Reverter {
  return async () => {
    if (await queue.isPaused()) await queue.resume()
  }
}
