import type { ScaledRule } from '../scenario-detection.ts'
import type { Slo } from '../sli-definition.ts'
import { errorRatioExpr, promDuration } from './sli-promql.ts'

export interface RuleExportInput {
  slos: readonly Slo[]
  rules: readonly ScaledRule[]
  /** `real`: the workbook's windows as the scenario states them; `scaled`: as the drill runs them. */
  windows: 'real' | 'scaled'
  /** keep_firing_for in the same time as the windows, ms (0: none). */
  keepFiringForMs: number
  /** The group's evaluation interval, for scaled windows (a real Prometheus's global one otherwise). */
  evaluationIntervalMs?: number
  /** Where a responder reads what to do, per SLO. @defaultValue none */
  runbookUrl?: (slo: string) => string
  /** The SLI's error ratio over a window in PromQL. @defaultValue bad over total of the SLI's events */
  errorRatio?: (slo: Slo, window: string) => string
}

export interface PrometheusRule {
  record?: string
  alert?: string
  expr: string
  for?: string
  keep_firing_for?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
}

export interface PrometheusRuleFile {
  groups: { name: string; interval?: string; rules: PrometheusRule[] }[]
}

/** The recording rule's name for an error ratio over a window: `slo:sli_error:ratio_rate5m`. */
export const ratioRecord = (window: string) => `slo:sli_error:ratio_rate${window}`

/**
 * The SLOs' multiwindow, multi-burn-rate rules as a Prometheus rule file, one group per SLO: a recording rule
 * per window (`slo:sli_error:ratio_rate<window>{slo, sli}`, the SLI's error ratio), and an alerting rule per
 * burn-rate rule that fires when both its windows burn faster than `burnRate × (1 − objective)`, with the
 * rule's severity, the SLO's name, and keep_firing_for.
 */
export function prometheusRules(input: RuleExportInput): PrometheusRuleFile {
  const windowOf = (rule: ScaledRule, which: 'long' | 'short') =>
    input.windows === 'real'
      ? which === 'long'
        ? rule.longWindow
        : rule.shortWindow
      : promDuration(which === 'long' ? rule.longWindowMs : rule.shortWindowMs)
  const groups = input.slos.map((slo) => {
    const windows = [...new Set(input.rules.flatMap((r) => [windowOf(r, 'short'), windowOf(r, 'long')]))]
    const sloLabels = { slo: slo.name, sli: slo.sli.kind }
    const recordings: PrometheusRule[] = windows.map((window) => ({
      record: ratioRecord(window),
      expr: input.errorRatio?.(slo, window) ?? errorRatioExpr(slo.sli.events, window),
      labels: sloLabels,
    }))
    const budget = Number((1 - slo.objective).toPrecision(12))
    const alerts: PrometheusRule[] = input.rules.map((rule) => {
      const long = windowOf(rule, 'long')
      const short = windowOf(rule, 'short')
      const selector = `{slo="${slo.name}"}`
      return {
        alert: rule.name,
        expr:
          `${ratioRecord(long)}${selector} > (${rule.burnRate} * ${budget})\n` +
          `and\n${ratioRecord(short)}${selector} > (${rule.burnRate} * ${budget})`,
        ...(input.keepFiringForMs > 0 ? { keep_firing_for: promDuration(input.keepFiringForMs) } : {}),
        labels: { severity: rule.severity, slo: slo.name },
        annotations: {
          summary: `SLO ${slo.name} is burning its error budget at over ${rule.burnRate}× (objective ${Number((slo.objective * 100).toPrecision(10))}%).`,
          description: `${slo.sli.description}: error ratio over ${long} and over ${short} both above ${rule.burnRate} × ${budget}.`,
          ...(input.runbookUrl === undefined ? {} : { runbook_url: input.runbookUrl(slo.name) }),
        },
      }
    })
    return {
      name: `firedrill-slo-${slo.name}`,
      ...(input.windows === 'scaled' && input.evaluationIntervalMs !== undefined
        ? { interval: promDuration(input.evaluationIntervalMs) }
        : {}),
      rules: [...recordings, ...alerts],
    }
  })
  return { groups }
}
