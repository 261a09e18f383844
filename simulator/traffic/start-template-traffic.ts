import { en, Faker } from '@faker-js/faker'
import { type Clock, systemClock } from '../../record/clock/clock.ts'
import type { DeepReadonly } from '../../record/scenario/deep-freeze.ts'
import type { RequestTemplate } from '../../record/target/target-schema.ts'
import { TrafficOptionsInvalidError } from './errors.ts'
import { renderTemplateRequest } from './render-template-request.ts'

export interface TemplateTrafficOptions {
  /** Base URLs of the service's instances; requests go round-robin over them. */
  targets: readonly string[]
  ratePerSecond: number
  request: DeepReadonly<RequestTemplate>
  /** Seeds the faker fields, so two runs send the same requests. */
  seed: number
  /** Real-time budget of one request; past it the request counts as a `timeout`. */
  timeoutMs: number
  /** Requests open at once before new ones are dropped instead of queued. @defaultValue 1000 */
  maxInFlight?: number
  /** @defaultValue systemClock */
  clock?: Clock
}

export interface TemplateTrafficSummary {
  requests: number
  /** By HTTP status, or `timeout`, `network-error`, `dropped`. */
  byStatus: Record<string, number>
}

export interface TemplateTrafficRun {
  /** Stops sending, waits for open requests (each bounded by timeoutMs), and sums up. Idempotent. */
  stop(): Promise<TemplateTrafficSummary>
  /** What has settled so far. */
  summary(): TemplateTrafficSummary
}

/**
 * A target's traffic: its request template, drawn afresh (seeded faker) for each request, sent at a constant
 * rate, open model: request i leaves at start + i/rate whatever earlier ones are doing, so a slow service does
 * not slow the load. Never throws on a failed request: it is counted by what happened.
 */
export function startTemplateTraffic(options: TemplateTrafficOptions): TemplateTrafficRun {
  const { targets, ratePerSecond, request, timeoutMs } = options
  if (targets.length === 0) throw new TrafficOptionsInvalidError('targets', 'must name at least one instance')
  if (!(ratePerSecond > 0 && ratePerSecond <= 5_000))
    throw new TrafficOptionsInvalidError(
      'ratePerSecond',
      `must be more than 0 and at most 5000 (got ${ratePerSecond})`,
    )
  const clock = options.clock ?? systemClock
  const maxInFlight = options.maxInFlight ?? 1000
  const faker = new Faker({ locale: en })
  faker.seed(options.seed)
  const byStatus: Record<string, number> = {}
  const count = (status: string) => {
    byStatus[status] = (byStatus[status] ?? 0) + 1
  }
  const open = new Set<Promise<void>>()
  const stopped = new AbortController()
  let requests = 0

  const send = (seq: number) => {
    const rendered = renderTemplateRequest(request, faker)
    requests++
    if (open.size >= maxInFlight) {
      count('dropped')
      return
    }
    const url = `${targets[seq % targets.length]!.replace(/\/+$/, '')}${rendered.path}`
    const done = (async () => {
      try {
        const response = await fetch(url, {
          method: rendered.method,
          headers: rendered.headers,
          ...(rendered.body === undefined ? {} : { body: rendered.body }),
          signal: AbortSignal.timeout(timeoutMs),
        })
        await response.arrayBuffer()
        count(String(response.status))
      } catch (err) {
        const timedOut =
          err instanceof Error &&
          (err.name === 'TimeoutError' || (err.cause as Error)?.name === 'TimeoutError')
        count(timedOut ? 'timeout' : 'network-error')
      }
    })()
    open.add(done)
    void done.finally(() => open.delete(done))
  }

  const startedAt = clock.now()
  const intervalMs = 1000 / ratePerSecond
  const loop = (async () => {
    let seq = 0
    while (!stopped.signal.aborted) {
      const now = clock.now()
      while (startedAt + seq * intervalMs <= now) send(seq++)
      try {
        await clock.sleep(Math.max(0, startedAt + seq * intervalMs - clock.now()), stopped.signal)
      } catch {
        return
      }
    }
  })()

  const summary = (): TemplateTrafficSummary => ({ requests, byStatus: { ...byStatus } })
  let stopping: Promise<TemplateTrafficSummary> | undefined
  return {
    summary,
    stop() {
      stopping ??= (async () => {
        stopped.abort()
        await loop
        while (open.size > 0) await Promise.allSettled([...open])
        return summary()
      })()
      return stopping
    },
  }
}
