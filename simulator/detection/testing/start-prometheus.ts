import { stringify } from 'yaml'
import { type MonitoringProcess, startMonitoringProcess } from './start-monitoring-process.ts'

export interface PrometheusOptions {
  /** Metrics URLs to scrape (`http://host:port/metrics` or a base URL, scraped at /metrics). */
  targets: readonly string[]
  /** A rule file's text (what `firedrill slo rules` writes). */
  rules: string
  scrapeIntervalMs: number
  evaluationIntervalMs: number
  /** An Alertmanager (`http://host:port`) to send firing and resolved alerts to. @defaultValue none */
  alertmanagerUrl?: string
}

/** One active alert as `GET /api/v1/alerts` lists it. */
export interface PrometheusAlert {
  labels: Record<string, string>
  state: 'pending' | 'firing'
  /** When its expression first returned it, RFC 3339. */
  activeAt: string
  value: string
}

/**
 * A real Prometheus (Debian's `prometheus`) scraping the targets on one job and evaluating the rule file, with
 * its TSDB in a temporary directory.
 */
export async function startPrometheus(options: PrometheusOptions): Promise<MonitoringProcess> {
  const byPath = new Map<string, string[]>()
  for (const target of options.targets) {
    const url = new URL(target)
    const path = url.pathname === '/' || url.pathname === '' ? '/metrics' : url.pathname
    byPath.set(path, [...(byPath.get(path) ?? []), url.host])
  }
  const config = {
    global: {
      scrape_interval: `${options.scrapeIntervalMs}ms`,
      scrape_timeout: `${options.scrapeIntervalMs}ms`,
      evaluation_interval: `${options.evaluationIntervalMs}ms`,
    },
    rule_files: ['rules.yml'],
    ...(options.alertmanagerUrl === undefined
      ? {}
      : {
          alerting: {
            alertmanagers: [{ static_configs: [{ targets: [new URL(options.alertmanagerUrl).host] }] }],
          },
        }),
    scrape_configs: [...byPath].map(([path, hosts], i) => ({
      job_name: `shop-${i}`,
      metrics_path: path,
      static_configs: [{ targets: hosts }],
    })),
  }
  return startMonitoringProcess({
    command: 'prometheus',
    files: { 'prometheus.yml': stringify(config), 'rules.yml': options.rules },
    args: (dir, port) => [
      `--config.file=${dir}/prometheus.yml`,
      `--storage.tsdb.path=${dir}/data`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
  })
}

/** The alerts Prometheus holds active now. */
export async function prometheusAlerts(prometheus: MonitoringProcess): Promise<PrometheusAlert[]> {
  const response = await fetch(`${prometheus.url}/api/v1/alerts`, { signal: AbortSignal.timeout(5000) })
  const body = (await response.json()) as { data: { alerts: PrometheusAlert[] } }
  return body.data.alerts
}

/** Every rule's health as Prometheus last evaluated it (`ok`, `err` with lastError, or `unknown`). */
export async function prometheusRuleHealth(
  prometheus: MonitoringProcess,
): Promise<{ name: string; health: string; lastError?: string }[]> {
  const response = await fetch(`${prometheus.url}/api/v1/rules`, { signal: AbortSignal.timeout(5000) })
  const body = (await response.json()) as {
    data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] }
  }
  return body.data.groups.flatMap((g) =>
    g.rules.map(({ name, health, lastError }) => ({ name, health, lastError })),
  )
}
