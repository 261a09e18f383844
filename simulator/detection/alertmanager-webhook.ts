import { alertFingerprint } from './alert-fingerprint.ts'
import type { BurnRateAlert } from './create-burn-rate-evaluator.ts'

export interface AlertmanagerWebhookOptions {
  receiver: string
  /** Where a human can see the alert (Alertmanager's own URL, or the drill's live page). */
  externalURL: string
  /** The SLO's name, in the `slo` label. @defaultValue 'orders-availability' */
  slo?: string
  /** @defaultValue `${externalURL}/runbooks/${slo}` */
  runbookUrl?: string
  /** Link to the expression that fired. @defaultValue externalURL */
  generatorURL?: string
}

export interface AlertmanagerAlert {
  status: 'firing' | 'resolved'
  labels: Record<string, string>
  annotations: { summary: string; description: string; runbook_url: string }
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
const ZERO_TIME = '0001-01-01T00:00:00Z'

/** Wraps one burn-rate alert (firing, or resolved once it has endsAt) as an Alertmanager webhook payload. */
export function toAlertmanagerWebhook(
  alert: BurnRateAlert,
  options: AlertmanagerWebhookOptions,
): AlertmanagerWebhook {
  const slo = options.slo ?? 'orders-availability'
  const status = alert.endsAt === null ? 'firing' : 'resolved'
  const { rule, evidence, objective } = alert
  const labels = { alertname: rule.name, severity: rule.severity, slo }
  const percent = (ratio: number | null) => (ratio === null ? 'no data' : `${(ratio * 100).toFixed(2)}%`)
  const times = (burnRate: number | null) => (burnRate === null ? 'no data' : `${burnRate.toFixed(1)}×`)
  const annotations = {
    summary: `SLO ${slo} is burning its error budget at over ${rule.burnRate}× (objective ${objective * 100}%).`,
    description:
      `Error ratio ${percent(evidence.long.errorRatio)} over the last ${rule.longWindowMs} ms ` +
      `(burn ${times(evidence.long.burnRate)}, ${evidence.long.total} requests, ${evidence.long.samples} samples) and ` +
      `${percent(evidence.short.errorRatio)} over the last ${rule.shortWindowMs} ms ` +
      `(burn ${times(evidence.short.burnRate)}, ${evidence.short.total} requests, ${evidence.short.samples} samples).`,
    runbook_url: options.runbookUrl ?? `${options.externalURL.replace(/\/+$/, '')}/runbooks/${slo}`,
  }
  const groupLabels = { alertname: rule.name }
  return {
    version: '4',
    groupKey: `{}:{alertname="${rule.name}"}`,
    truncatedAlerts: 0,
    status,
    receiver: options.receiver,
    groupLabels,
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL: options.externalURL,
    alerts: [
      {
        status,
        labels,
        annotations,
        startsAt: new Date(alert.startsAt).toISOString(),
        endsAt: alert.endsAt === null ? ZERO_TIME : new Date(alert.endsAt).toISOString(),
        generatorURL: options.generatorURL ?? options.externalURL,
        fingerprint: alertFingerprint(labels),
      },
    ],
  }
}
