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
  const header = [
    `# SLOs of scenario "${loaded.name}" (${loaded.file}), written by firedrill slo rules.`,
    options.format === 'sloth'
      ? '# A sloth spec (sloth.dev, prometheus/v1): `sloth generate -i FILE` makes the burn-rate rules.'
      : `# Prometheus rules, ${windows}: \`promtool check rules FILE\`, then list it under rule_files.`,
    '',
  ]
  if (options.format === 'sloth')
    return (
      header.join('\n') + stringify(slothSpec(settings.slos), { lineWidth: 0, aliasDuplicateObjects: false })
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
  })
  return header.join('\n') + stringify(file, { lineWidth: 0, aliasDuplicateObjects: false })
}
