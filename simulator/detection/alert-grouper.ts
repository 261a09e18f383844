import type { Clock } from '../../record/clock/clock.ts'
import {
  type AlertmanagerAlert,
  type AlertmanagerWebhook,
  groupNotification,
} from './alertmanager-webhook.ts'
import { DetectionOptionsInvalidError } from './errors.ts'

export interface AlertGrouperOptions {
  clock: Clock
  /** Labels that split alerts into groups; [] puts every alert in one group (one page per incident). */
  groupBy: readonly string[]
  /** How long a new group waits for more alerts before its first notification (Alertmanager `group_wait`). */
  groupWaitMs: number
  /** How long a group waits before notifying about a change (`group_interval`). */
  groupIntervalMs: number
  /** How long before an unchanged, still firing group is notified again (`repeat_interval`). */
  repeatIntervalMs: number
  /** The route part of the group key: `{}` for Alertmanager's root route. @defaultValue '{}' */
  route?: string
  receiver: string
  externalURL: string
  send(notification: AlertmanagerWebhook): Promise<unknown>
  /** A notification that could not be sent. */
  onError(err: unknown): void
}

export interface AlertGrouper {
  /** An alert's latest state: firing, or resolved (endsAt set). Repeats of an unchanged alert change nothing. */
  put(alert: AlertmanagerAlert): void
  /** Stops every group's timers and waits for notifications in flight. Nothing is sent after it. */
  stop(): Promise<void>
}

interface Group {
  key: string
  labels: Record<string, string>
  alerts: Map<string, AlertmanagerAlert>
  /** Something changed since the last notification. */
  dirty: boolean
  lastSentAt: number | null
}

/**
 * Alertmanager's dispatcher, for the drill: alerts are grouped by `groupBy` labels; a new group is notified
 * after `groupWait` with every alert that arrived meanwhile; then every `groupInterval` it is notified again if
 * an alert joined, changed or resolved, or when `repeatInterval` has passed; once all its alerts are resolved and
 * that was notified, the group ends, and a later alert starts a new group (a new incident). Resolved alerts are
 * sent once, in the notification after they resolved.
 */
export function createAlertGrouper(options: AlertGrouperOptions): AlertGrouper {
  const { clock, groupBy } = options
  for (const field of ['groupWaitMs', 'groupIntervalMs', 'repeatIntervalMs'] as const) {
    if (!(options[field] >= 0))
      throw new DetectionOptionsInvalidError(field, `must be zero or more (got ${options[field]})`)
  }
  const route = options.route ?? '{}'
  const groups = new Map<string, Group>()
  const loops = new Set<Promise<void>>()
  const controller = new AbortController()

  const notify = async (group: Group) => {
    const now = clock.now()
    const repeatDue = group.lastSentAt !== null && now - group.lastSentAt >= options.repeatIntervalMs
    if (!group.dirty && !repeatDue) return
    const alerts = [...group.alerts.values()]
    group.dirty = false
    group.lastSentAt = now
    for (const [fingerprint, alert] of group.alerts)
      if (alert.status === 'resolved') group.alerts.delete(fingerprint)
    if (group.alerts.size === 0) groups.delete(group.key)
    await options.send(
      groupNotification({
        groupKey: group.key,
        groupLabels: group.labels,
        receiver: options.receiver,
        externalURL: options.externalURL,
        alerts,
      }),
    )
  }

  const run = async (group: Group) => {
    try {
      await clock.sleep(options.groupWaitMs, controller.signal)
      for (;;) {
        await notify(group).catch(options.onError)
        if (!groups.has(group.key)) return
        await clock.sleep(options.groupIntervalMs, controller.signal)
      }
    } catch {
      // Stopped while waiting.
    }
  }

  return {
    put(alert) {
      if (controller.signal.aborted) return
      const labels = Object.fromEntries(
        groupBy.flatMap((name) => (alert.labels[name] === undefined ? [] : [[name, alert.labels[name]]])),
      )
      const key = `${route}:${formatLabels(labels)}`
      let group = groups.get(key)
      if (group === undefined) {
        if (alert.status === 'resolved') return
        group = { key, labels, alerts: new Map(), dirty: false, lastSentAt: null }
        groups.set(key, group)
        const loop = run(group)
        loops.add(loop)
        void loop.finally(() => loops.delete(loop))
      }
      const before = group.alerts.get(alert.fingerprint)
      if (before === undefined && alert.status === 'resolved') return
      if (before?.status !== alert.status || before.endsAt !== alert.endsAt) group.dirty = true
      group.alerts.set(alert.fingerprint, alert)
    },
    async stop() {
      controller.abort()
      await Promise.all([...loops])
    },
  }
}

/** A label set as Alertmanager writes it in a group key: `{a="1", b="2"}`, sorted by name. */
export function formatLabels(labels: Record<string, string>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((name) => `${name}=${JSON.stringify(labels[name])}`)
  return `{${parts.join(', ')}}`
}
