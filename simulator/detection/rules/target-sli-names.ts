import type { ValidTarget } from '../../../record/target/parse-target.ts'
import type { LabelMatcher } from '../series-selector.ts'
import type { SliMetricNames } from '../shop-slis.ts'
import type { SliKind } from '../sli-definition.ts'

/** The SLI kinds a target's `/metrics` mapping can measure: its request histogram gives availability and latency. */
export const TARGET_METRICS_SLI_KINDS: readonly SliKind[] = ['availability', 'latency']

/**
 * A `/metrics` target's names, as the SLO rules and the evaluator read them: availability counts the request
 * histogram's `_count` by its status label; latency reads its `_bucket{le}` (a threshold is written as the `le`
 * the histogram should have); both scoped to `slis.route` when it is given. Fulfilment has no mapping: its names
 * are the built-in shop's and a target never matches them.
 */
export function targetSliNames(target: ValidTarget): SliMetricNames | undefined {
  const slis = target.slis
  if (slis.kind !== 'metrics') return undefined
  const scope: readonly LabelMatcher[] =
    slis.route === undefined ? [] : [{ label: slis.routeLabel, op: '=', value: slis.route }]
  return {
    availability: { counter: `${slis.histogram}_count`, statusLabel: slis.statusLabel, scope },
    latency: { histogram: slis.histogram, scope, buckets: [] },
    fulfilment: {
      histogram: 'fulfilment_order_settlement_seconds',
      outcomeLabel: 'outcome',
      paid: 'paid',
      buckets: [],
    },
  }
}
