import { createHash } from 'node:crypto'
import { PagerDutyFailedError } from './errors.ts'

/** Where PagerDuty's Events API v2 takes events. */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue'

export type PagerDutyAction = 'trigger' | 'acknowledge' | 'resolve'
export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info'

/** One PagerDuty Events API v2 event. `payload` only on a trigger. */
export interface PagerDutyEvent {
  routing_key: string
  event_action: PagerDutyAction
  dedup_key: string
  payload?: {
    summary: string
    source: string
    severity: PagerDutySeverity
    timestamp?: string
    component?: string
    group?: string
    class?: string
    custom_details?: Record<string, unknown>
  }
  links?: { href: string; text: string }[]
  client?: string
  client_url?: string
}

/**
 * The dedup key of an alert group, as Alertmanager's PagerDuty integration makes it: the SHA-256 of the group
 * key, in hex. Trigger, acknowledge and resolve of one incident share it.
 */
export function dedupKeyOf(groupKey: string): string {
  return createHash('sha256').update(groupKey).digest('hex')
}

/** An alert's severity label in PagerDuty's four words (`page` is critical; `ticket` a warning). */
export function pagerDutySeverity(severity: string): PagerDutySeverity {
  switch (severity) {
    case 'page':
    case 'critical':
      return 'critical'
    case 'error':
      return 'error'
    case 'warning':
    case 'ticket':
      return 'warning'
    case 'info':
      return 'info'
    default:
      return 'critical'
  }
}

export interface SendPagerDutyOptions {
  /** @defaultValue PAGERDUTY_EVENTS_URL */
  url?: string
  /** @defaultValue the global fetch */
  fetch?: typeof fetch
  /** Real-time budget of one attempt. @defaultValue 5000 */
  timeoutMs?: number
  /** Further attempts after a 429, a 5xx or no answer, with exponential backoff. @defaultValue 3 */
  retries?: number
  /** First backoff; it doubles each retry. @defaultValue 250 */
  backoffMs?: number
}

/**
 * Sends one event and resolves with the status PagerDuty answered (202 on success). A 429, a 5xx or no answer
 * is retried (PagerDuty asks for it); a 400 is not (the event itself is wrong) and fails at once with
 * FIREDRILL_PAGERDUTY_FAILED, as does running out of retries.
 */
export async function sendPagerDutyEvent(
  event: PagerDutyEvent,
  options: SendPagerDutyOptions = {},
): Promise<number> {
  const url = options.url ?? PAGERDUTY_EVENTS_URL
  const fetchImpl = options.fetch ?? fetch
  const retries = options.retries ?? 3
  let backoff = options.backoffMs ?? 250
  for (let attempt = 0; ; attempt++) {
    let status: number
    let detail: string
    try {
      const response = await fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(event),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      })
      const text = await response.text()
      status = response.status
      if (response.ok) return status
      detail = `PagerDuty answered HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`
      if (status !== 429 && status < 500) throw new PagerDutyFailedError(url, event.event_action, detail)
    } catch (err) {
      if (err instanceof PagerDutyFailedError) throw err
      detail =
        err instanceof Error && err.name === 'TimeoutError' ? 'no answer in time' : 'the request failed'
      if (attempt >= retries) throw new PagerDutyFailedError(url, event.event_action, detail, err)
    }
    if (attempt >= retries) throw new PagerDutyFailedError(url, event.event_action, detail)
    await new Promise((resolve) => setTimeout(resolve, backoff))
    backoff *= 2
  }
}
