import { alertFingerprint } from './alert-fingerprint.ts'
import type { BurnRateAlert } from './create-burn-rate-evaluator.ts'

export interface AlertmanagerWebhookOptions {
  receiver: string
  /** Where a human can see the alert (Alertmanager's own URL, or the drill's live page). */
  externalURL: string
  /** @defaultValue `${externalURL}/runbooks/${slo}` */
  runbookUrl?: string
  /** Link to the expression that fired. @defaultValue externalURL */
  generatorURL?: string
  /** Labels every alert carries besides alertname, severity and slo (e.g. the drill's run). */
  extraLabels?: Record<string, string>
}

export interface AlertmanagerAlert {
  status: 'firing' | 'resolved'
  labels: Record<string, string>
  annotations: Record<string, string>
  startsAt: string
  endsAt: string
  generatorURL: string
  fingerprint: string
}

/** The JSON Alertmanager POSTs to a webhook receiver (version 4). */
export interface AlertmanagerWebhook {
  version: '4'
  groupKey: string
  truncatedAlerts: number
  status: 'firing' | 'resolved'
  receiver: string
  groupLabels: Record<string, string>
  commonLabels: Record<string, string>
  commonAnnotations: Record<string, string>
  externalURL: string
  alerts: AlertmanagerAlert[]
}

/** Alertmanager's "zero time": the endsAt of an alert that is still firing. */
export const ZERO_TIME = '0001-01-01T00:00:00Z'

/** One burn-rate alert (firing, or resolved once it has endsAt) as Alertmanager passes it on. */
export function alertmanagerAlertOf(
  alert: BurnRateAlert,
  options: AlertmanagerWebhookOptions,
): AlertmanagerAlert {
  const status = alert.endsAt === null ? 'firing' : 'resolved'
  const { rule, evidence, objective, slo } = alert
  const labels = { ...options.extraLabels, alertname: rule.name, severity: rule.severity, slo }
  const percent = (ratio: number | null) => (ratio === null ? 'no data' : `${(ratio * 100).toFixed(2)}%`)
  const times = (burnRate: number | null) => (burnRate === null ? 'no data' : `${burnRate.toFixed(1)}×`)
  const annotations = {
    summary: `SLO ${slo} is burning its error budget at over ${rule.burnRate}× (objective ${objective * 100}%).`,
    description:
      `Error ratio ${percent(evidence.long.errorRatio)} over the last ${rule.longWindowMs} ms ` +
      `(burn ${times(evidence.long.burnRate)}, ${evidence.long.total} events, ${evidence.long.samples} samples) and ` +
      `${percent(evidence.short.errorRatio)} over the last ${rule.shortWindowMs} ms ` +
      `(burn ${times(evidence.short.burnRate)}, ${evidence.short.total} events, ${evidence.short.samples} samples).`,
    runbook_url: options.runbookUrl ?? `${options.externalURL.replace(/\/+$/, '')}/runbooks/${slo}`,
  }
  return {
    status,
    labels,
    annotations,
    startsAt: new Date(alert.startsAt).toISOString(),
    endsAt: alert.endsAt === null ? ZERO_TIME : new Date(alert.endsAt).toISOString(),
    generatorURL: options.generatorURL ?? options.externalURL,
    fingerprint: alertFingerprint(labels),
  }
}

/**
 * One notification of an aggregation group: its alerts, firing and resolved, with the labels and annotations
 * they all share; `firing` while any alert of the group fires.
 */
export function groupNotification(group: {
  groupKey: string
  groupLabels: Record<string, string>
  receiver: string
  externalURL: string
  alerts: readonly AlertmanagerAlert[]
}): AlertmanagerWebhook {
  const { alerts } = group
  return {
    version: '4',
    groupKey: group.groupKey,
    truncatedAlerts: 0,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver: group.receiver,
    groupLabels: group.groupLabels,
    commonLabels: common(alerts.map((a) => a.labels)),
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    externalURL: group.externalURL,
    alerts: [...alerts],
  }
}

/** Wraps one burn-rate alert as a notification of its own group (grouped by alertname). */
export function toAlertmanagerWebhook(
  alert: BurnRateAlert,
  options: AlertmanagerWebhookOptions,
): AlertmanagerWebhook {
  return groupNotification({
    groupKey: `{}:{alertname="${alert.rule.name}"}`,
    groupLabels: { alertname: alert.rule.name },
    receiver: options.receiver,
    externalURL: options.externalURL,
    alerts: [alertmanagerAlertOf(alert, options)],
  })
}

/** The key/value pairs every map has (Alertmanager's commonLabels and commonAnnotations). */
function common(maps: readonly Record<string, string>[]): Record<string, string> {
  const [first, ...rest] = maps
  if (first === undefined) return {}
  return Object.fromEntries(Object.entries(first).filter(([k, v]) => rest.every((m) => m[k] === v)))
}
