import { HTTP_DURATION_BUCKETS } from '../../services/platform/metrics/http-metrics-plugin.ts'
import { ORDER_SETTLEMENT_BUCKETS } from '../../services/worker/fulfilment-metrics.ts'
import type { LabelMatcher } from './series-selector.ts'
import type { Sli, SliKind, Slo } from './sli-definition.ts'

/**
 * Where each kind of SLI finds its numbers: metric and label names, and the histogram buckets a threshold must
 * fall on. The built-in shop's are `SHOP_SLI_METRICS`; a service firedrill did not start maps its own.
 */
export interface SliMetricNames {
  availability: {
    /** A counter of answered requests with a status code label. */
    counter: string
    statusLabel: string
    /** Which requests count (method, route). */
    scope: readonly LabelMatcher[]
  }
  latency: {
    /** A histogram of request durations in seconds (`_bucket{le}`, `_count`). */
    histogram: string
    scope: readonly LabelMatcher[]
    buckets: readonly number[]
  }
  fulfilment: {
    /** A histogram of order placement → settlement in seconds, with an outcome label. */
    histogram: string
    outcomeLabel: string
    /** The outcome value of an order paid. */
    paid: string
    /**
     * The outcome value of an order accepted with its charge deliberately deferred (a degrade switch): handled
     * within the deadline counts as good, like paid. Absent: only paid orders are good.
     */
    deferred?: string
    buckets: readonly number[]
  }
}

const ORDERS: readonly LabelMatcher[] = Object.freeze([
  { label: 'method', op: '=', value: 'POST' },
  { label: 'route', op: '=', value: '/orders' },
])

/** The built-in shop's names: the api's HTTP metrics and the worker's settlement histogram. */
export const SHOP_SLI_METRICS: SliMetricNames = Object.freeze({
  availability: { counter: 'http_requests_total', statusLabel: 'status_code', scope: ORDERS },
  latency: { histogram: 'http_request_duration_seconds', scope: ORDERS, buckets: HTTP_DURATION_BUCKETS },
  fulfilment: {
    histogram: 'fulfilment_order_settlement_seconds',
    outcomeLabel: 'outcome',
    paid: 'paid',
    deferred: 'deferred',
    buckets: ORDER_SETTLEMENT_BUCKETS,
  },
})

/** What a scenario says about one SLO (`slo.indicators[i]`), with durations already in milliseconds. */
export interface SloSpec {
  name: string
  sli: SliKind
  objective: number
  /** latency: requests slower than this are bad. */
  thresholdMs?: number
  /** fulfilment: orders not handled (paid, or their charge deliberately deferred) within this of entering the queue are bad. */
  deadlineMs?: number
}

/** A bucket bound as the `le` label spells it (prom-client and Prometheus write 0.25, 1, 2.5). */
export const leLabel = (seconds: number): string => String(seconds)

/**
 * The SLO's SLI on the given metric names. Latency: good = `_bucket{le=threshold}` of the request histogram
 * over its `_count`. Fulfilment: good = orders handled within the deadline, paid or accepted with their charge
 * deferred by the degrade switch (`_bucket{outcome=~"paid|deferred",le=deadline}`), over every order settled or
 * deferred; a failed order, or one handled late, is bad. An order held in a paused fulfilment queue counts
 * neither way while it is held: it counts when it is settled, against its time since it entered the queue, so
 * one held past the deadline is bad; a queue paused throughout a window gives that window no data.
 * Availability: bad = 5xx over every answered request.
 */
export function sloOn(spec: SloSpec, names: SliMetricNames = SHOP_SLI_METRICS): Slo {
  return { name: spec.name, objective: spec.objective, sli: sliOn(spec, names) }
}

function sliOn(spec: SloSpec, names: SliMetricNames): Sli {
  switch (spec.sli) {
    case 'availability': {
      const { counter, statusLabel, scope } = names.availability
      return {
        kind: 'availability',
        description: `${describeScope(scope)} answered without a 5xx`,
        events: {
          total: { metric: counter, matchers: scope },
          bad: { metric: counter, matchers: [...scope, { label: statusLabel, op: '=~', value: '5..' }] },
        },
      }
    }
    case 'latency': {
      const { histogram, scope } = names.latency
      const seconds = bucketOf(spec.thresholdMs ?? 0, names.latency.buckets)
      return {
        kind: 'latency',
        description: `${describeScope(scope)} answered within ${formatSeconds(seconds)}`,
        events: {
          total: { metric: `${histogram}_count`, matchers: scope },
          good: {
            metric: `${histogram}_bucket`,
            matchers: [...scope, { label: 'le', op: '=', value: leLabel(seconds) }],
          },
        },
      }
    }
    case 'fulfilment': {
      const { histogram, outcomeLabel, paid, deferred } = names.fulfilment
      const seconds = bucketOf(spec.deadlineMs ?? 0, names.fulfilment.buckets)
      return {
        kind: 'fulfilment',
        description:
          deferred === undefined
            ? `orders paid within ${formatSeconds(seconds)} of entering the fulfilment queue`
            : `orders paid or deliberately deferred within ${formatSeconds(seconds)} of entering the fulfilment queue`,
        events: {
          total: { metric: `${histogram}_count`, matchers: [] },
          good: {
            metric: `${histogram}_bucket`,
            matchers: [
              deferred === undefined
                ? { label: outcomeLabel, op: '=', value: paid }
                : { label: outcomeLabel, op: '=~', value: `${paid}|${deferred}` },
              { label: 'le', op: '=', value: leLabel(seconds) },
            ],
          },
        },
      }
    }
  }
}

/** The bucket bound (in seconds, as the histogram writes it) for a threshold in ms. */
function bucketOf(ms: number, buckets: readonly number[]): number {
  return buckets.find((b) => b * 1000 === ms) ?? ms / 1000
}

function describeScope(scope: readonly LabelMatcher[]): string {
  const method = scope.find((m) => m.label === 'method')?.value
  const route = scope.find((m) => m.label === 'route')?.value
  return method !== undefined && route !== undefined ? `${method} ${route}` : 'requests'
}

const formatSeconds = (seconds: number) => (seconds < 1 ? `${seconds * 1000} ms` : `${seconds} s`)

/** The drill's SLO when a scenario names none: availability of POST /orders at 99 %. */
export const ordersAvailabilitySlo: Slo = Object.freeze(
  sloOn({ name: 'orders-availability', sli: 'availability', objective: 0.99 }),
)
