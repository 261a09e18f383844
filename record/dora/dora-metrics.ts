/**
 * The five DORA metrics, under dora.dev's names, from `DoraEvents`. Only `production` deployments count.
 * The period is [since, until]: `since` defaults to the first production deployment, `until` to `now`.
 * Deployments and incidents count when their `time_created` falls in the period.
 *
 * - **Deployment frequency** = production deployments in the period / days in the period, where days =
 *   the UTC calendar days the period touches (at least 1). Also: the median, over the period's weeks (7-day
 *   blocks from `since`), of the number of distinct UTC days with a production deployment.
 * - **Change lead time** = median, over every change carried by a production deployment in the period, of
 *   (time of the first production deployment carrying it − the change's `time_created`). Changes missing
 *   from the `changes` table are left out.
 * - **Change failure rate** = production deployments in the period linked to at least one incident /
 *   production deployments in the period. Several incidents on one deployment count it once.
 * - **Failed deployment recovery time** = median, over incidents in the period that are resolved and linked
 *   to a production deployment, of (`time_resolved` − `time_created`).
 * - **Deployment rework rate** = production deployments in the period that carry a change fixing an incident
 *   linked to an earlier production deployment (a change's `fixes_incidents`) / production deployments in
 *   the period: unplanned deployments made to repair a failed one.
 *
 * An incident links to its `deployment_id` when that names a production deployment; an incident without one
 * links to the last production deployment at or before its start, no more than `incidentWindowMs` earlier
 * (fourkeys and DevLake). Medians of an even count take the mean of the middle two. A metric is null when
 * it is undefined: no production deployments (frequency without `since`, lead time, failure and rework
 * rates), no carried changes (lead time), no resolved linked incidents (recovery time).
 */
import {
  DAY_MS,
  type DoraDeployment,
  type DoraEvents,
  type DoraIncident,
  lastDeploymentBefore,
  PRODUCTION,
} from './dora-events.ts'

export interface DoraMetricsOptions {
  /** Start of the period (epoch ms). @defaultValue the first production deployment */
  since?: number
  /** End of the period (epoch ms). @defaultValue `now` */
  until?: number
  now: number
  /** How long after a production deployment an incident without a `deployment_id` still links to it. @defaultValue 1 day */
  incidentWindowMs?: number
}

export interface DoraMetrics {
  period: { since: string | null; until: string; days: number | null }
  deploymentFrequency: {
    perDay: number | null
    deployments: number
    days: number | null
    medianDeployDaysPerWeek: number | null
  }
  changeLeadTime: { medianMs: number | null; changes: number }
  changeFailureRate: { rate: number | null; failedDeployments: number; deployments: number }
  failedDeploymentRecoveryTime: { medianMs: number | null; incidents: number }
  deploymentReworkRate: { rate: number | null; reworkDeployments: number; deployments: number }
}

/** The median of `values`; null when empty. An even count takes the mean of the middle two. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const utcDay = (ms: number) => Math.floor(ms / DAY_MS)

/** Which production deployment (by id) each incident links to; incidents with no link are left out. */
export function linkIncidents(
  incidents: readonly DoraIncident[],
  deployments: readonly DoraDeployment[],
  incidentWindowMs: number = DAY_MS,
): Map<string, string> {
  const production = deployments.filter((d) => d.environment === PRODUCTION)
  const ids = new Set(production.map((d) => d.deploy_id))
  const links = new Map<string, string>()
  for (const incident of incidents) {
    const linked =
      incident.deployment_id !== null
        ? ids.has(incident.deployment_id)
          ? incident.deployment_id
          : undefined
        : lastDeploymentBefore(production, Date.parse(incident.time_created), incidentWindowMs)?.deploy_id
    if (linked !== undefined) links.set(incident.incident_id, linked)
  }
  return links
}

/** The five DORA metrics over a period; the formulas are at the top of this file. */
export function doraMetrics(events: DoraEvents, options: DoraMetricsOptions): DoraMetrics {
  const windowMs = options.incidentWindowMs ?? DAY_MS
  const production = events.deployments
    .filter((d) => d.environment === PRODUCTION)
    .sort((a, b) => Date.parse(a.time_created) - Date.parse(b.time_created))
  const until = options.until ?? options.now
  const since = options.since ?? (production[0] === undefined ? null : Date.parse(production[0].time_created))
  const inPeriod = (iso: string) => {
    const t = Date.parse(iso)
    return (since === null || t >= since) && t <= until
  }
  const deployed = production.filter((d) => inPeriod(d.time_created))
  const links = linkIncidents(events.incidents, events.deployments, windowMs)
  const incidents = events.incidents.filter((i) => inPeriod(i.time_created))

  const days = since === null ? null : Math.max(1, utcDay(until) - utcDay(since) + 1)
  const deploymentFrequency = {
    perDay: days === null ? null : deployed.length / days,
    deployments: deployed.length,
    days,
    medianDeployDaysPerWeek:
      days === null || since === null ? null : deployDaysPerWeek(deployed, since, days),
  }

  const changeTimes = new Map(events.changes.map((c) => [c.change_id, Date.parse(c.time_created)]))
  const firstDeployed = new Map<string, number>()
  for (const d of production) {
    for (const id of d.changes) if (!firstDeployed.has(id)) firstDeployed.set(id, Date.parse(d.time_created))
  }
  const carried = new Set(deployed.flatMap((d) => d.changes))
  const leadTimes: number[] = []
  for (const id of carried) {
    const created = changeTimes.get(id)
    const deployedAt = firstDeployed.get(id)
    if (created !== undefined && deployedAt !== undefined) leadTimes.push(Math.max(0, deployedAt - created))
  }

  const failed = new Set(incidents.flatMap((i) => links.get(i.incident_id) ?? []))
  const failedDeployments = deployed.filter((d) => failed.has(d.deploy_id)).length

  const recoveries = incidents
    .filter((i) => i.time_resolved !== null && links.has(i.incident_id))
    .map((i) => Math.max(0, Date.parse(i.time_resolved!) - Date.parse(i.time_created)))

  const deployTimes = new Map(production.map((d) => [d.deploy_id, Date.parse(d.time_created)]))
  const fixes = new Map(events.changes.map((c) => [c.change_id, c.fixes_incidents ?? []]))
  const isRework = (d: DoraDeployment) =>
    d.changes.some((id) =>
      (fixes.get(id) ?? []).some((incident) => {
        const failedAt = deployTimes.get(links.get(incident) ?? '')
        return failedAt !== undefined && failedAt < Date.parse(d.time_created)
      }),
    )
  const reworkDeployments = deployed.filter(isRework).length

  return {
    period: {
      since: since === null ? null : new Date(since).toISOString(),
      until: new Date(until).toISOString(),
      days,
    },
    deploymentFrequency,
    changeLeadTime: { medianMs: median(leadTimes), changes: leadTimes.length },
    changeFailureRate: {
      rate: deployed.length === 0 ? null : failedDeployments / deployed.length,
      failedDeployments,
      deployments: deployed.length,
    },
    failedDeploymentRecoveryTime: { medianMs: median(recoveries), incidents: recoveries.length },
    deploymentReworkRate: {
      rate: deployed.length === 0 ? null : reworkDeployments / deployed.length,
      reworkDeployments,
      deployments: deployed.length,
    },
  }
}

/** Per 7-day block from `since`: distinct UTC days with a production deployment; the median of the blocks. */
function deployDaysPerWeek(deployed: readonly DoraDeployment[], since: number, days: number): number | null {
  const first = utcDay(since)
  const weeks = Math.ceil(days / 7)
  const perWeek = Array.from({ length: weeks }, () => new Set<number>())
  for (const d of deployed) {
    const day = utcDay(Date.parse(d.time_created))
    perWeek[Math.min(weeks - 1, Math.floor((day - first) / 7))]?.add(day)
  }
  return median(perWeek.map((s) => s.size))
}
