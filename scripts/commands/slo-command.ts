import { loadScenario } from '../../record/scenario/load-scenario.ts'
import { loadTarget } from '../../record/target/load-target.ts'
import { scenarioForTarget } from '../../record/target/scenario-for-target.ts'
import { writeFileAtomically } from '../../services/platform/write-file-atomically.ts'
import {
  type RenderSloRulesOptions,
  renderSloRules,
  type SloRulesFormat,
} from '../../simulator/detection/rules/render-slo-rules.ts'
import { TARGET_METRICS_SLI_KINDS, targetSliNames } from '../../simulator/detection/rules/target-sli-names.ts'
import { UsageError } from '../cli-errors.ts'
import type { Command } from '../command.ts'
import { usageText } from '../command-definition.ts'
import { sloRulesDefinition } from '../definitions/slo-definition.ts'
import { parseCommandArgs } from '../parse-command-args.ts'
import { findSubcommand } from '../subcommand.ts'

const FORMATS: readonly SloRulesFormat[] = ['prometheus', 'sloth']
const SCALES = ['real', 'drill'] as const

export const sloCommand: Command = {
  name: 'slo',
  async run(argv) {
    const { definition, rest } = findSubcommand('slo', [sloRulesDefinition], argv)
    const { values } = parseCommandArgs(rest, definition as typeof sloRulesDefinition)
    const format = values.format as SloRulesFormat
    if (!FORMATS.includes(format))
      throw new UsageError(
        `--format must be prometheus or sloth (got "${values.format}").\n${usageText(sloRulesDefinition)}`,
      )
    const scale = values.scaled ? 'drill' : values.scale
    if (!(SCALES as readonly string[]).includes(scale))
      throw new UsageError(
        `--scale must be real or drill (got "${scale}").\n${usageText(sloRulesDefinition)}`,
      )
    const scaled = scale === 'drill'
    if (format === 'sloth' && scaled)
      throw new UsageError(
        `${values.scaled ? '--scaled' : '--scale drill'} needs --format prometheus: sloth makes its own windows from the SLO period, so it cannot take the drill's scaled ones.`,
      )
    let loaded = await loadScenario(values.scenario)
    const options: RenderSloRulesOptions = { format, scaled }
    if (values.target !== undefined) {
      const target = await loadTarget(values.target)
      // A target's scenario runs at the time scale and interval its target's scraping allows: the same windows.
      if (loaded.scenario.service.kind === 'target')
        loaded = { ...loaded, scenario: scenarioForTarget(loaded.scenario, target.target) }
      const indicators = loaded.scenario.slo.indicators
      options.target = { name: target.target.name, file: target.file }
      const names = targetSliNames(target.target)
      if (names !== undefined) {
        const unmeasured = indicators.filter((i) => !TARGET_METRICS_SLI_KINDS.includes(i.sli))
        if (unmeasured.length > 0)
          throw new UsageError(
            `Target "${values.target}" maps only ${TARGET_METRICS_SLI_KINDS.join(' and ')} SLIs (slis.histogram), but scenario ` +
              `"${loaded.name}" has ${unmeasured.map((i) => `${i.name} (${i.sli})`).join(', ')}. ` +
              'Pass a scenario whose SLOs the target can measure, or read the target through its Prometheus (slis.kind: prometheus).',
          )
        options.names = names
      } else if (target.target.slis.kind === 'prometheus') {
        if (indicators.length !== 1)
          throw new UsageError(
            `Target "${values.target}" gives one SLI in PromQL (slis.errors over slis.total), but scenario "${loaded.name}" ` +
              `has ${indicators.length} SLOs. Pass a scenario with one SLO.`,
          )
        options.promql = { errors: target.target.slis.errors, total: target.target.slis.total }
      }
    }
    const text = renderSloRules(loaded, options)
    if (values.out === undefined) process.stdout.write(text)
    else {
      await writeFileAtomically(values.out, text)
      process.stderr.write(`firedrill: wrote ${values.out}\n`)
    }
    return 0
  },
}
