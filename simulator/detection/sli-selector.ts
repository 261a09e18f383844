import type { PromSample } from './parse-prometheus-text.ts'

/**
 * Which counter the SLI reads and which requests it keeps. The SLI is availability: bad = status_code 5xx,
 * total = all answered requests of that method and route.
 */
export interface SliSelector {
  /** A counter with `method`, `route` and `status_code` labels. */
  metric: string
  method: string
  route: string
}

/** Availability of `POST /orders`, from the `http_requests_total` counter every shop instance exposes. */
export const ordersAvailabilitySli: SliSelector = Object.freeze({
  metric: 'http_requests_total',
  method: 'POST',
  route: '/orders',
})

export function isBadStatus(statusCode: string): boolean {
  return /^5\d\d$/.test(statusCode)
}

/** The selected series of one scrape, keyed by status code (one counter per status code). */
export function selectSliSeries(samples: readonly PromSample[], selector: SliSelector): Map<string, number> {
  const byStatus = new Map<string, number>()
  for (const sample of samples) {
    const { method, route, status_code } = sample.labels
    if (sample.name !== selector.metric || method !== selector.method || route !== selector.route) continue
    const status = status_code ?? ''
    byStatus.set(status, (byStatus.get(status) ?? 0) + sample.value)
  }
  return byStatus
}
