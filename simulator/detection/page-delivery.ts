import { ZERO_TIME } from './alertmanager-webhook.ts'
import type { ReceivedWebhook } from './alertmanager-webhook-schema.ts'
import type { PageDestinations } from './page-destinations.ts'
import {
  type PagerDutyAction,
  type PagerDutyEvent,
  pagerDutySeverity,
  type SendPagerDutyOptions,
  sendPagerDutyEvent,
} from './pagerduty-event.ts'
import { sendWebhook } from './send-webhook.ts'

/** Which drill a page belongs to: every page sent on says it is a drill, and which. */
export interface DrillMark {
  runId: string
  scenario: string
}

/** One delivery attempt, for the journal. */
export interface PageDeliveryRecord {
  channel: 'pagerduty-events-v2' | 'webhook'
  action: PagerDutyAction
  target: string
  dedupKey: string
  ok: boolean
  status?: number
  error?: string
}

/** An incident as the pager knows it: its group, PagerDuty dedup key, and the notification at hand. */
export interface IncidentNotice {
  groupKey: string
  dedupKey: string
  notification: ReceivedWebhook
}

export interface PageDelivery {
  trigger(incident: IncidentNotice): Promise<void>
  acknowledge(dedupKey: string): Promise<void>
  resolve(incident: IncidentNotice): Promise<void>
}

/**
 * Sends pages on, marked as a drill: to PagerDuty (Events v2: trigger, acknowledge, resolve under the group's
 * dedup key) and to Alertmanager-shaped webhooks (the notification with `drill="true"` and the run on every
 * alert, `[DRILL]` before its summary; webhooks have no acknowledgement). A failed delivery is reported through
 * `onDelivered` and never throws: the drill goes on whether or not an outside pager answered.
 */
export function createPageDelivery(options: {
  destinations: PageDestinations
  mark: DrillMark
  onDelivered(record: PageDeliveryRecord): void
  pagerDuty?: Omit<SendPagerDutyOptions, 'url'>
}): PageDelivery {
  const { destinations, mark, onDelivered } = options

  const toPagerDuty = async (event: PagerDutyEvent) => {
    const pd = destinations.pagerDuty
    if (pd === null) return
    const base = { channel: 'pagerduty-events-v2' as const, action: event.event_action, target: pd.url }
    try {
      const status = await sendPagerDutyEvent(event, { ...options.pagerDuty, url: pd.url })
      onDelivered({ ...base, dedupKey: event.dedup_key, ok: true, status })
    } catch (err) {
      onDelivered({ ...base, dedupKey: event.dedup_key, ok: false, error: (err as Error).message })
    }
  }

  const toWebhooks = async (action: PagerDutyAction, incident: IncidentNotice) => {
    const payload = drillWebhook(incident.notification, mark)
    await Promise.all(
      destinations.webhooks.map(async (url) => {
        const base = { channel: 'webhook' as const, action, target: url, dedupKey: incident.dedupKey }
        try {
          onDelivered({ ...base, ok: true, status: await sendWebhook(url, payload) })
        } catch (err) {
          onDelivered({ ...base, ok: false, error: (err as Error).message })
        }
      }),
    )
  }

  // One incident's deliveries go out in order (an acknowledge never overtakes a trigger still being retried).
  const chains = new Map<string, Promise<unknown>>()
  const inOrder = (dedupKey: string, send: () => Promise<unknown>): Promise<void> => {
    const next = (chains.get(dedupKey) ?? Promise.resolve()).then(send)
    chains.set(dedupKey, next)
    return next.then(() => undefined)
  }
  const routingKey = destinations.pagerDuty?.routingKey ?? ''
  return {
    trigger: (incident) =>
      inOrder(incident.dedupKey, () =>
        Promise.all([
          toPagerDuty(pagerDutyTrigger(incident, mark, routingKey)),
          toWebhooks('trigger', incident),
        ]),
      ),
    acknowledge: (dedupKey) =>
      inOrder(dedupKey, () =>
        toPagerDuty({ routing_key: routingKey, event_action: 'acknowledge', dedup_key: dedupKey }),
      ),
    resolve: (incident) =>
      inOrder(incident.dedupKey, () =>
        Promise.all([
          toPagerDuty({ routing_key: routingKey, event_action: 'resolve', dedup_key: incident.dedupKey }),
          toWebhooks('resolve', incident),
        ]),
      ),
  }
}

/** The PagerDuty trigger for an incident's firing notification, marked as a drill. */
export function pagerDutyTrigger(
  incident: IncidentNotice,
  mark: DrillMark,
  routingKey: string,
): PagerDutyEvent {
  const { notification } = incident
  const firing = notification.alerts.filter((a) => a.status === 'firing')
  const first = firing[0] ?? notification.alerts[0]!
  const slos = [...new Set(firing.map((a) => a.labels.slo).filter((s) => s !== undefined))]
  const alertname = first.labels.alertname ?? 'alert'
  const summary = first.annotations.summary ?? `${alertname} is firing`
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: incident.dedupKey,
    payload: {
      summary: `[DRILL ${mark.runId}] ${summary}`.slice(0, 1024),
      source: 'firedrill',
      severity: pagerDutySeverity(first.labels.severity ?? ''),
      timestamp: first.startsAt,
      component: 'shop',
      ...(slos.length === 0 ? {} : { group: slos.join(',') }),
      class: 'slo-burn-rate',
      custom_details: {
        drill: true,
        run: mark.runId,
        scenario: mark.scenario,
        groupKey: incident.groupKey,
        alerts: firing.map((a) => ({ labels: a.labels, annotations: a.annotations, startsAt: a.startsAt })),
      },
    },
    ...(notification.externalURL === ''
      ? {}
      : { links: [{ href: notification.externalURL, text: 'Drill console' }] }),
    client: 'firedrill (drill)',
  }
}

/** The notification as a webhook passes it on: every alert labelled `drill="true"` and with its run. */
export function drillWebhook(notification: ReceivedWebhook, mark: DrillMark): ReceivedWebhook {
  const marks = { drill: 'true', drill_run: mark.runId }
  const mark_ = (annotations: Record<string, string>) =>
    annotations.summary === undefined
      ? annotations
      : { ...annotations, summary: `[DRILL] ${annotations.summary}` }
  return {
    ...notification,
    commonLabels: { ...notification.commonLabels, ...marks },
    commonAnnotations: mark_(notification.commonAnnotations),
    alerts: notification.alerts.map((a) => ({
      ...a,
      labels: { ...a.labels, ...marks },
      annotations: mark_(a.annotations),
    })),
  }
}

/** The notification with every alert resolved at `at`: what is sent on when the drill ends mid-incident. */
export function resolvedNotification(notification: ReceivedWebhook, at: number): ReceivedWebhook {
  const endsAt = new Date(at).toISOString()
  return {
    ...notification,
    status: 'resolved',
    alerts: notification.alerts.map((a) => ({
      ...a,
      status: 'resolved',
      endsAt: a.endsAt === ZERO_TIME ? endsAt : a.endsAt,
    })),
  }
}
