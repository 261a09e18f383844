import { humanizeMs } from '../timings/humanize-ms.ts'
import type { DoraMetrics } from './dora-metrics.ts'

const pct = (rate: number | null) => (rate === null ? 'n/a' : `${(rate * 100).toFixed(1)}%`)
const ms = (value: number | null) => (value === null ? 'n/a' : humanizeMs(value))
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/** The five metrics' names, dora.dev's, in the order every view lists them. */
export const DORA_METRIC_LABELS = [
  'deployment frequency',
  'change lead time',
  'change failure rate',
  'failed deployment recovery time',
  'deployment rework rate',
] as const

/** Each metric's value as one short cell: `0.50/day`, `1m 2s`, `50.0%`, `n/a` where undefined. */
export function metricValues(m: DoraMetrics): [label: string, value: string][] {
  const values = [
    m.deploymentFrequency.perDay === null ? 'n/a' : `${m.deploymentFrequency.perDay.toFixed(2)}/day`,
    ms(m.changeLeadTime.medianMs),
    pct(m.changeFailureRate.rate),
    ms(m.failedDeploymentRecoveryTime.medianMs),
    pct(m.deploymentReworkRate.rate),
  ]
  return DORA_METRIC_LABELS.map((label, i) => [label, values[i]!])
}

/** The inputs of each metric's formula, in `metricValues` order: `1 of 2 production deployments linked to an incident`. */
export function metricInputs(m: DoraMetrics): string[] {
  const f = m.deploymentFrequency
  return [
    `${plural(f.deployments, 'production deployment')} / ${f.days === null ? 'no period' : plural(f.days, 'day')}` +
      (f.medianDeployDaysPerWeek === null
        ? ''
        : `; median ${plural(f.medianDeployDaysPerWeek, 'deploy day')} a week`),
    `median over ${plural(m.changeLeadTime.changes, 'change')} (first production deployment − commit)`,
    `${m.changeFailureRate.failedDeployments} of ${plural(m.changeFailureRate.deployments, 'production deployment')} linked to an incident`,
    `median over ${plural(m.failedDeploymentRecoveryTime.incidents, 'resolved incident')} linked to a deployment`,
    `${m.deploymentReworkRate.reworkDeployments} of ${plural(m.deploymentReworkRate.deployments, 'production deployment')} fix an earlier failed one`,
  ]
}

/** The measured period: `since → until`, `no deployments → until` without a start. */
export const periodOf = (m: DoraMetrics): string =>
  `${m.period.since ?? 'no deployments'} → ${m.period.until}`

/** The five metrics for people, one line each, with the inputs of its formula. */
export function describeDoraMetrics(m: DoraMetrics): string[] {
  const inputs = metricInputs(m)
  return [
    `${'period'.padEnd(32)} ${periodOf(m)}`,
    ...metricValues(m).map(([label, value], i) => `${label.padEnd(32)} ${value.padEnd(10)} ${inputs[i]}`),
  ]
}

/** Two runs' metrics side by side: `label  A  B`. */
export function describeComparison(a: DoraMetrics, b: DoraMetrics, names: [string, string]): string[] {
  const right = metricValues(b)
  const rows = metricValues(a).map(([label, value], i) => [label, value, right[i]![1]] as const)
  const width = Math.max(10, names[0].length)
  return [
    `${'metric'.padEnd(32)} ${names[0].padEnd(width)} ${names[1]}`,
    ...rows.map(([label, va, vb]) => `${label.padEnd(32)} ${va.padEnd(width)} ${vb}`),
  ]
}
