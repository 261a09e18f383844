import { type Clock, systemClock } from '../../record/clock/clock.ts'
import { type ArrivalProcess, createArrivalSchedule } from './arrival-schedule.ts'
import { TrafficOptionsInvalidError } from './errors.ts'
import { type IntervalCounts, summarizeInterval } from './interval-counts.ts'
import type { OrderGenerator } from './order-generator.ts'
import { isFailure, type RequestRecord, type RequestStatus } from './request-outcome.ts'
import { sendOrder } from './send-order.ts'

export interface TrafficOptions {
  /** Base URLs of the api instances (`http://127.0.0.1:3001`); requests go round-robin over them. */
  targets: readonly string[]
  /**
   * The instances taking traffic now, read for every request (a blue-green switch changes them at once).
   * @defaultValue `targets`, always
   */
  live?: () => readonly string[]
  ratePerSecond: number
  generator: OrderGenerator
  /** How send times are laid out. @defaultValue { kind: 'constant' } */
  arrivals?: ArrivalProcess
  /** @defaultValue systemClock */
  clock?: Clock
  /** Aborting it stops the traffic, as `stop()` does. */
  signal?: AbortSignal
  /** Width of the counting intervals, in ms of the clock. */
  intervalMs: number
  /** Called with each interval, in order, once every request scheduled in it has settled. */
  onInterval?: (counts: IntervalCounts) => void
  /** Real-time budget of one request; past it the request counts as a `timeout`. */
  timeoutMs: number
  /** Requests open at once before new ones are dropped by the client instead of queued. @defaultValue 1000 */
  maxInFlight?: number
  /** How many requests `requests()` keeps (the first ones); later ones are still counted. @defaultValue 100_000 */
  keepRequests?: number
}

export interface FirstFailure {
  scheduledAt: number
  observedAt: number
  status: RequestStatus
  request: Pick<RequestRecord, 'seq' | 'requestId' | 'customerId' | 'couponCode' | 'itemCount' | 'target'>
}

export interface TrafficSummary {
  startedAt: number
  stoppedAt: number
  requests: number
  failures: number
  dropped: number
  byStatus: Record<string, number>
  /** The worst gap between a scheduled and an actual send time over the run: the generator's own lag. */
  maxSendLagMs: number
  firstFailure: FirstFailure | null
}

export interface TrafficRun {
  readonly startedAt: number
  /** Stops scheduling, waits for open requests (each bounded by timeoutMs), flushes the last interval. Idempotent. */
  stop(): Promise<TrafficSummary>
  intervals(): readonly IntervalCounts[]
  /** The first keepRequests requests in schedule order, with their outcomes once settled: two runs compare with it. */
  requests(): readonly RequestRecord[]
  firstFailure(): FirstFailure | null
  inFlight(): number
}

interface Bucket {
  records: RequestRecord[]
  pending: number
}

/**
 * Open-arrival load: request i is due at start + offset(i) (constant i/rate, or seeded Poisson arrivals) and
 * leaves on schedule whatever the latency of earlier ones: no request waits for another's response, so a slow
 * service cannot slow the load down (no coordinated omission). Latency is measured from the scheduled time.
 */
export function startTraffic(options: TrafficOptions): TrafficRun {
  validate(options)
  const { targets, generator, intervalMs, timeoutMs, onInterval } = options
  const live = options.live ?? (() => targets)
  const clock = options.clock ?? systemClock
  const maxInFlight = options.maxInFlight ?? 1000
  const keepRequests = options.keepRequests ?? 100_000
  const schedule = createArrivalSchedule(options.ratePerSecond, options.arrivals ?? { kind: 'constant' })

  const startedAt = clock.now()
  const records: RequestRecord[] = []
  const buckets = new Map<number, Bucket>()
  const emitted: IntervalCounts[] = []
  const settling = new Set<Promise<void>>()
  // One controller per sleep: a clock may keep the listener it was given until that signal aborts.
  let wake = new AbortController()
  let nextEmit = 0
  let scheduledUntil = startedAt
  let stoppedAt: number | null = null
  let inFlight = 0
  let requested = 0
  let firstFailure: FirstFailure | null = null
  let callbackError: unknown = null
  let stopping: Promise<TrafficSummary> | null = null

  const bucketOf = (index: number): Bucket => {
    let bucket = buckets.get(index)
    if (bucket === undefined) {
      bucket = { records: [], pending: 0 }
      buckets.set(index, bucket)
    }
    return bucket
  }

  const emitReady = () => {
    for (;;) {
      const start = startedAt + nextEmit * intervalMs
      const stopAt = stoppedAt
      if (stopAt !== null && start >= stopAt && !buckets.has(nextEmit)) return
      // The last interval of a stopped run ends at the stop; before that, an interval waits for its end.
      const end =
        stopAt !== null && stopAt > start ? Math.min(start + intervalMs, stopAt) : start + intervalMs
      if (stopAt === null && end > scheduledUntil) return
      const bucket = buckets.get(nextEmit)
      if (bucket !== undefined && bucket.pending > 0) return
      const counts = summarizeInterval(nextEmit, start, end, bucket?.records ?? [])
      buckets.delete(nextEmit)
      emitted.push(counts)
      nextEmit++
      try {
        onInterval?.(counts)
      } catch (err) {
        callbackError ??= err
      }
    }
  }

  const settle = (record: RequestRecord, bucket: Bucket, status: RequestStatus) => {
    const observedAt = clock.now()
    record.status = status
    record.latencyMs = status === 'dropped' ? null : observedAt - record.scheduledAt
    bucket.pending--
    if (firstFailure === null && isFailure(status)) {
      const { seq, requestId, customerId, couponCode, itemCount, target } = record
      firstFailure = {
        scheduledAt: record.scheduledAt,
        observedAt,
        status,
        request: { seq, requestId, customerId, couponCode, itemCount, target },
      }
    }
  }

  const fire = (seq: number, scheduledAt: number) => {
    const order = generator.next()
    const now = live()
    const target = now[seq % now.length]!
    const record: RequestRecord = {
      seq,
      requestId: order.requestId,
      customerId: order.body.customerId,
      couponCode: order.body.couponCode ?? null,
      itemCount: order.body.items.length,
      target,
      scheduledAt,
      sentAt: null,
      status: null,
      latencyMs: null,
    }
    requested++
    if (records.length < keepRequests) records.push(record)
    const bucket = bucketOf(Math.floor((scheduledAt - startedAt) / intervalMs))
    bucket.pending++
    bucket.records.push(record)
    if (inFlight >= maxInFlight) {
      settle(record, bucket, 'dropped')
      return
    }
    inFlight++
    record.sentAt = clock.now()
    const done: Promise<void> = sendOrder(target, order, timeoutMs).then((status) => {
      inFlight--
      settling.delete(done)
      settle(record, bucket, status)
      emitReady()
    })
    settling.add(done)
  }

  const loop = (async () => {
    let seq = 0
    while (stoppedAt === null) {
      const now = clock.now()
      for (
        let due = startedAt + schedule.offsetMs(seq);
        due <= now;
        due = startedAt + schedule.offsetMs(seq)
      ) {
        fire(seq++, due)
      }
      scheduledUntil = now
      emitReady()
      const nextDue = startedAt + schedule.offsetMs(seq)
      const nextBoundary = startedAt + (Math.floor((now - startedAt) / intervalMs) + 1) * intervalMs
      wake = new AbortController()
      try {
        await clock.sleep(Math.max(0, Math.min(nextDue, nextBoundary) - now), wake.signal)
      } catch {
        return
      }
    }
  })()

  const stop = (): Promise<TrafficSummary> => {
    stopping ??= (async () => {
      stoppedAt = clock.now()
      scheduledUntil = stoppedAt
      wake.abort()
      await loop
      await Promise.all([...settling])
      emitReady()
      if (callbackError !== null) throw callbackError
      return summarize()
    })()
    return stopping
  }

  const summarize = (): TrafficSummary => {
    const byStatus: Record<string, number> = {}
    let failures = 0
    let dropped = 0
    let maxSendLagMs = 0
    for (const interval of emitted) {
      failures += interval.failures
      dropped += interval.dropped
      maxSendLagMs = Math.max(maxSendLagMs, interval.maxSendLagMs)
      for (const [status, count] of Object.entries(interval.byStatus))
        byStatus[status] = (byStatus[status] ?? 0) + count
    }
    return {
      startedAt,
      stoppedAt: stoppedAt ?? clock.now(),
      requests: requested,
      failures,
      dropped,
      byStatus,
      maxSendLagMs,
      firstFailure,
    }
  }

  if (options.signal !== undefined) {
    if (options.signal.aborted) void stop()
    else options.signal.addEventListener('abort', () => void stop(), { once: true })
  }

  return {
    startedAt,
    stop,
    intervals: () => emitted,
    requests: () => records,
    firstFailure: () => firstFailure,
    inFlight: () => inFlight,
  }
}

function validate(options: TrafficOptions): void {
  if (options.targets.length === 0)
    throw new TrafficOptionsInvalidError('targets', 'must list at least one base URL')
  for (const target of options.targets) {
    if (!URL.canParse(target))
      throw new TrafficOptionsInvalidError('targets', `must be URLs (got "${target}")`)
  }
  if (!(options.intervalMs > 0))
    throw new TrafficOptionsInvalidError(
      'intervalMs',
      `must be a positive number (got ${options.intervalMs})`,
    )
  if (!(options.timeoutMs > 0))
    throw new TrafficOptionsInvalidError('timeoutMs', `must be a positive number (got ${options.timeoutMs})`)
  const { maxInFlight, keepRequests } = options
  if (maxInFlight !== undefined && !(Number.isInteger(maxInFlight) && maxInFlight > 0))
    throw new TrafficOptionsInvalidError('maxInFlight', `must be a positive integer (got ${maxInFlight})`)
  if (keepRequests !== undefined && !(Number.isInteger(keepRequests) && keepRequests >= 0))
    throw new TrafficOptionsInvalidError(
      'keepRequests',
      `must be a non-negative integer (got ${keepRequests})`,
    )
}
