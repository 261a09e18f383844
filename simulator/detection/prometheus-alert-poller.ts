import type { Clock } from '../../record/clock/clock.ts'
import { startTicker, type Ticker } from '../../record/clock/start-ticker.ts'
import { alertFingerprint } from './alert-fingerprint.ts'
import type { AlertGrouper } from './alert-grouper.ts'

/** One alert as Prometheus's `/api/v1/alerts` lists it. */
interface ListedAlert {
  labels: Record<string, string>
  annotations?: Record<string, string>
  state: 'pending' | 'firing' | 'inactive'
  activeAt: string
}

export interface PrometheusAlertPollerOptions {
  /** The team's Prometheus (its HTTP API is under /api/v1). */
  url: string
  intervalMs: number
  /** Alerts active before this instant (ms) are someone else's: not the drill's incident. */
  since: number
  clock: Clock
  /** Where the alerts go, grouped as Alertmanager would and sent to the pager. */
  grouper: Pick<AlertGrouper, 'put'>
  /** A poll that failed (Prometheus unreachable, a bad answer); the next poll tries again. */
  onError(err: unknown): void
}

/**
 * The team's Prometheus as the detector, without an Alertmanager: its firing alerts are read every
 * `intervalMs` and handed to firedrill's own dispatcher (as Prometheus would send them to Alertmanager), and an
 * alert that stops firing is sent resolved. Pending alerts are not sent (their `for` has not passed).
 */
export function startPrometheusAlertPoller(options: PrometheusAlertPollerOptions): { stop(): Promise<void> } {
  const base = options.url.replace(/\/+$/, '')
  const firing = new Map<
    string,
    { labels: Record<string, string>; annotations: Record<string, string>; startsAt: string }
  >()
  const poll = async () => {
    let alerts: ListedAlert[]
    try {
      const response = await fetch(`${base}/api/v1/alerts`, {
        signal: AbortSignal.timeout(Math.max(1000, options.intervalMs)),
      })
      if (!response.ok) throw new Error(`${base}/api/v1/alerts answered ${response.status}`)
      alerts = ((await response.json()) as { data: { alerts: ListedAlert[] } }).data.alerts
    } catch (err) {
      options.onError(err)
      return
    }
    const seen = new Set<string>()
    for (const alert of alerts) {
      if (alert.state !== 'firing' || Date.parse(alert.activeAt) < options.since) continue
      const fingerprint = alertFingerprint(alert.labels)
      seen.add(fingerprint)
      const entry = { labels: alert.labels, annotations: alert.annotations ?? {}, startsAt: alert.activeAt }
      firing.set(fingerprint, entry)
      options.grouper.put({
        status: 'firing',
        ...entry,
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: `${base}/alerts`,
        fingerprint,
      })
    }
    for (const [fingerprint, entry] of firing) {
      if (seen.has(fingerprint)) continue
      firing.delete(fingerprint)
      options.grouper.put({
        status: 'resolved',
        ...entry,
        endsAt: new Date(options.clock.now()).toISOString(),
        generatorURL: `${base}/alerts`,
        fingerprint,
      })
    }
  }
  const ticker: Ticker = startTicker(options.clock, options.intervalMs, poll)
  return { stop: () => ticker.stop() }
}
