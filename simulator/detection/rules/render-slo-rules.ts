import { stringify } from 'yaml'
import type { LoadedScenario } from '../../../record/scenario/load-scenario.ts'
import { detectionSettingsOf, scaledRules } from '../scenario-detection.ts'
import { SHOP_SLI_METRICS, type SliMetricNames } from '../shop-slis.ts'
import { prometheusRules } from './prometheus-rules.ts'
import { slothSpec } from './sloth-spec.ts'

export type SloRulesFormat = 'prometheus' | 'sloth'

export interface RenderSloRulesOptions {
  format: SloRulesFormat
  /** The drill's windows (scaled by the scenario's time scale) instead of the real ones. */
  scaled: boolean
  /** Metric and label names of the service the rules watch. @defaultValue the built-in shop's */
  names?: SliMetricNames
  /**
   * The team's own PromQL for the SLI (a target read through its Prometheus): bad and all events per second,
   * `$window` standing for the window. Replaces the metric names for every SLO.
   */
  promql?: { errors: string; total: string }
  /** Says which service the rules watch, in the header and as sloth's service. @defaultValue the built-in shop */
  target?: { name: string; file: string }
}

/**
 * The scenario's SLOs and burn-rate rules as a file a team loads: Prometheus recording and alerting rules
 * (real windows, or the drill's scaled ones with the drill's evaluation interval and keep_firing_for), or a
 * sloth spec (sloth makes its own windows, so only real ones). YAML with a header saying where it came from.
 */
export function renderSloRules(loaded: LoadedScenario, options: RenderSloRulesOptions): string {
  const { scenario } = loaded
  const settings = detectionSettingsOf(scenario, options.names ?? SHOP_SLI_METRICS)
  const windows = options.scaled ? `the drill's windows, scaled by ${scenario.timeScale}` : 'real windows'
  const { promql, target } = options
  const header = [
    `# SLOs of scenario "${loaded.name}" (${loaded.file}), written by firedrill slo rules.`,
    ...(target === undefined ? [] : [`# Measured on target "${target.name}" (${target.file}).`]),
    options.format === 'sloth'
      ? '# A sloth spec (sloth.dev, prometheus/v1): `sloth generate -i FILE` makes the burn-rate rules.'
      : `# Prometheus rules, ${windows}: \`promtool check rules FILE\`, then list it under rule_files.`,
    '',
  ]
  if (options.format === 'sloth')
    return (
      header.join('\n') +
      stringify(
        slothSpec(
          settings.slos,
          target?.name,
          promql === undefined
            ? undefined
            : () => ({
                error_query: withWindow(promql.errors, '{{.window}}'),
                total_query: withWindow(promql.total, '{{.window}}'),
              }),
        ),
        { lineWidth: 0, aliasDuplicateObjects: false },
      )
    )
  const keepFiringForMs = options.scaled
    ? settings.keepFiringForMs
    : settings.keepFiringForMs / scenario.timeScale
  const file = prometheusRules({
    slos: settings.slos,
    rules: options.scaled ? settings.rules : scaledRules(scenario, 1),
    windows: options.scaled ? 'scaled' : 'real',
    keepFiringForMs: Math.round(keepFiringForMs),
    ...(options.scaled ? { evaluationIntervalMs: settings.evaluationIntervalMs } : {}),
    ...(promql === undefined
      ? {}
      : {
          errorRatio: (_slo, window) =>
            `(${withWindow(promql.errors, window)})\n/\n(${withWindow(promql.total, window)})`,
        }),
  })
  return header.join('\n') + stringify(file, { lineWidth: 0, aliasDuplicateObjects: false })
}

/** A target's PromQL with its `$window` filled in. */
function withWindow(expr: string, window: string): string {
  return expr.replaceAll('$window', window)
}
