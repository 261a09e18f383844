import { writeFileAtomically } from '../../services/platform/write-file-atomically.ts'
import { renderSloRules, type SloRulesFormat } from '../../simulator/detection/rules/render-slo-rules.ts'
import { loadScenario } from '../../simulator/scenario/load-scenario.ts'
import { UsageError } from '../cli-errors.ts'
import type { Command } from '../command.ts'
import { parseCommandArgs } from '../parse-command-args.ts'

const usage = 'slo rules [--scenario NAME|PATH] [--format prometheus|sloth] [--scaled] [--out FILE]'
const FORMATS: readonly SloRulesFormat[] = ['prometheus', 'sloth']

export const sloCommand: Command = {
  name: 'slo',
  usage,
  summary:
    "the scenario's SLOs as burn-rate recording and alerting rules for a team's own Prometheus (or sloth)",
  async run(argv) {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        scenario: { type: 'string', default: 'bad-pricing' },
        format: { type: 'string', default: 'prometheus' },
        scaled: { type: 'boolean', default: false },
        out: { type: 'string' },
      },
      usage,
      { min: 1, max: 1 },
    )
    if (positionals[0] !== 'rules')
      throw new UsageError(
        `Unknown slo subcommand "${positionals[0]}"; the one there is: rules.\nUsage: ${usage}`,
      )
    const format = values.format as SloRulesFormat
    if (!FORMATS.includes(format))
      throw new UsageError(`--format must be prometheus or sloth (got "${values.format}").\nUsage: ${usage}`)
    if (format === 'sloth' && values.scaled)
      throw new UsageError(
        "--scaled needs --format prometheus: sloth makes its own windows from the SLO period, so it cannot take the drill's scaled ones.",
      )
    const loaded = await loadScenario(values.scenario)
    const text = renderSloRules(loaded, { format, scaled: values.scaled })
    if (values.out === undefined) process.stdout.write(text)
    else {
      await writeFileAtomically(values.out, text)
      process.stderr.write(`firedrill: wrote ${values.out}\n`)
    }
    return 0
  },
}
