import type { JournalEventData } from '../../../record/journal/journal-event.ts'

/**
 * What the fulfilment workers did between two looks at their dashboard (from the page to the acknowledgement),
 * and the queue at the second: as `responder.diagnosed` journals it.
 */
export type SeenWorkers = NonNullable<JournalEventData['responder.diagnosed']['evidence']['workers']>

/**
 * The workers' own figures, summed over every worker's `/metrics`: the same fields, cumulative since each worker
 * started (the queue's depth as it is now). `seenWorkers` turns two reads into what happened between them.
 */
export type WorkerCounters = Omit<SeenWorkers, 'overMs'>

const sample = (text: string, name: string, label?: { key: string; value: string }): number => {
  let sum = 0
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue
    const rest = line.slice(name.length)
    if (rest[0] !== '{' && rest[0] !== ' ') continue
    if (label !== undefined && !rest.includes(`${label.key}="${label.value}"`)) continue
    const value = Number(rest.slice(rest.lastIndexOf(' ') + 1))
    if (Number.isFinite(value)) sum += value
  }
  return sum
}

/** One worker's counters, from its `/metrics` text. */
export function workerCountersOf(text: string): WorkerCounters {
  const jobs = 'fulfilment_job_duration_seconds_count'
  const depth = 'fulfilment_queue_depth'
  return {
    providerCalls: sample(text, 'payments_requests_total'),
    rateLimited: sample(text, 'payments_requests_total', { key: 'status_code', value: '429' }),
    retries: sample(text, jobs, { key: 'outcome', value: 'retry' }),
    paid: sample(text, jobs, { key: 'outcome', value: 'paid' }),
    waiting: sample(text, depth, { key: 'state', value: 'waiting' }),
    delayed: sample(text, depth, { key: 'state', value: 'delayed' }),
    workers: 1,
  }
}

/**
 * Reads every worker's `/metrics` and sums them; a worker that does not answer (restarting) is left out. The
 * queue's depth is the same queue seen by each worker, so it is the largest any of them reports, not a sum.
 */
export async function readWorkerCounters(metricsUrls: readonly string[]): Promise<WorkerCounters> {
  const read = await Promise.all(
    metricsUrls.map(async (url) => {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(2000) })
        return response.ok ? workerCountersOf(await response.text()) : null
      } catch {
        return null
      }
    }),
  )
  const total: WorkerCounters = {
    providerCalls: 0,
    rateLimited: 0,
    retries: 0,
    paid: 0,
    waiting: 0,
    delayed: 0,
    workers: 0,
  }
  for (const c of read) {
    if (c === null) continue
    total.providerCalls += c.providerCalls
    total.rateLimited += c.rateLimited
    total.retries += c.retries
    total.paid += c.paid
    total.waiting = Math.max(total.waiting, c.waiting)
    total.delayed = Math.max(total.delayed, c.delayed)
    total.workers += 1
  }
  return total
}

/** What happened between two reads (`before` at `fromMs`, `after` at `toMs`); counters never go below zero. */
export function seenWorkers(
  before: WorkerCounters,
  after: WorkerCounters,
  fromMs: number,
  toMs: number,
): SeenWorkers {
  const delta = (k: 'providerCalls' | 'rateLimited' | 'retries' | 'paid') => Math.max(0, after[k] - before[k])
  return {
    overMs: Math.max(0, toMs - fromMs),
    providerCalls: delta('providerCalls'),
    rateLimited: delta('rateLimited'),
    retries: delta('retries'),
    paid: delta('paid'),
    waiting: after.waiting,
    delayed: after.delayed,
    workers: after.workers,
  }
}
