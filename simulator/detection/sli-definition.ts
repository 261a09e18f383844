import type { SeriesSelector } from './series-selector.ts'

/** What an SLI measures: availability (no 5xx), latency (fast enough), fulfilment (orders paid in time). */
export type SliKind = 'availability' | 'latency' | 'fulfilment'

/**
 * An SLI as a ratio of counters, the way Prometheus and sloth state one: every event the SLI counts (`total`),
 * and either the bad ones (`bad`) or the good ones (`good`, bad = total − good). Selectors name metrics and
 * labels, so the same SLI can be mapped onto another service's names.
 */
export type SliEvents =
  | { total: SeriesSelector; bad: SeriesSelector }
  | { total: SeriesSelector; good: SeriesSelector }

export interface Sli {
  kind: SliKind
  /** In words, for alerts and postmortems: "POST /orders answered without a 5xx". */
  description: string
  events: SliEvents
}

/** One SLO the drill watches: a name (the `slo` label of its alerts), its SLI, and its objective. */
export interface Slo {
  name: string
  objective: number
  sli: Sli
}
