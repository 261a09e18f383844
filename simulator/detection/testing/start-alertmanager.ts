import { stringify } from 'yaml'
import { type MonitoringProcess, startMonitoringProcess } from './start-monitoring-process.ts'

export interface AlertmanagerRoute {
  groupBy: string[]
  groupWait: string
  groupInterval: string
  repeatInterval: string
}

/**
 * A real Alertmanager (Debian's `prometheus-alertmanager`) whose only route sends every alert, grouped as told,
 * to `webhookUrl` with resolved notifications. No cluster, state in a temporary directory.
 */
export async function startAlertmanager(
  webhookUrl: string,
  route: AlertmanagerRoute,
): Promise<MonitoringProcess> {
  const config = {
    route: {
      receiver: 'pager',
      group_by: route.groupBy,
      group_wait: route.groupWait,
      group_interval: route.groupInterval,
      repeat_interval: route.repeatInterval,
    },
    receivers: [{ name: 'pager', webhook_configs: [{ url: webhookUrl, send_resolved: true }] }],
  }
  return startMonitoringProcess({
    command: 'prometheus-alertmanager',
    files: { 'alertmanager.yml': stringify(config) },
    args: (dir, port) => [
      `--config.file=${dir}/alertmanager.yml`,
      `--storage.path=${dir}/data`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
  })
}

/** Posts alerts to Alertmanager's API as Prometheus does (`endsAt` in the past resolves one). */
export async function postAlerts(
  alertmanager: MonitoringProcess,
  alerts: { labels: Record<string, string>; annotations?: Record<string, string>; endsAt?: string }[],
): Promise<void> {
  const response = await fetch(`${alertmanager.url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alerts),
    signal: AbortSignal.timeout(5000),
  })
  if (!response.ok)
    throw new Error(`Alertmanager refused the alerts: HTTP ${response.status} ${await response.text()}`)
}
