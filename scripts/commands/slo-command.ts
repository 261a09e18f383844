import { loadScenario } from '../../record/scenario/load-scenario.ts'
import { writeFileAtomically } from '../../services/platform/write-file-atomically.ts'
import { renderSloRules, type SloRulesFormat } from '../../simulator/detection/rules/render-slo-rules.ts'
import { UsageError } from '../cli-errors.ts'
import type { Command } from '../command.ts'
import { usageText } from '../command-definition.ts'
import { sloRulesDefinition } from '../definitions/slo-definition.ts'
import { parseCommandArgs } from '../parse-command-args.ts'
import { findSubcommand } from '../subcommand.ts'

const FORMATS: readonly SloRulesFormat[] = ['prometheus', 'sloth']

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
    if (format === 'sloth' && values.scaled)
      throw new UsageError(
        "--scaled needs --format prometheus: sloth makes its own windows from the SLO period, so it cannot take the drill's scaled ones.",
      )
    const loaded = await loadScenario(values.scenario)
    const text = renderSloRules(loaded, { format, scaled: values.scaled ?? false })
    if (values.out === undefined) process.stdout.write(text)
    else {
      await writeFileAtomically(values.out, text)
      process.stderr.write(`firedrill: wrote ${values.out}\n`)
    }
    return 0
  },
}
