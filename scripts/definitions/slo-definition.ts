import { defineCommand } from '../command-definition.ts'

export const sloRulesDefinition = defineCommand({
  name: 'slo rules',
  summary:
    "the scenario's SLOs as burn-rate recording and alerting rules for a team's own Prometheus (or sloth)",
  description:
    "Writes the multiwindow, multi-burn-rate recording and alerting rules of the scenario's SLOs, with the SRE " +
    "workbook's real windows (or, with --scale drill, the drill's scaled ones), so a team loads the same rules in " +
    'its own Prometheus (`promtool check rules` accepts them) or gives them to sloth. With --target, the SLIs are ' +
    "measured on the target's own metric and label names, or by its own PromQL.",
  options: {
    scenario: {
      type: 'string',
      value: 'NAME|PATH',
      default: 'bad-pricing',
      description: 'a catalog scenario or a scenario file: the SLOs and burn-rate rules',
    },
    target: {
      type: 'string',
      value: 'FILE',
      description:
        "a target file: the SLIs on its metric names, or its PromQL (default: the built-in shop's)",
    },
    format: {
      type: 'string',
      value: 'prometheus|sloth',
      default: 'prometheus',
      description: 'the rules format',
    },
    scale: {
      type: 'string',
      value: 'real|drill',
      default: 'real',
      description: "the SRE workbook's real windows, or the drill's, scaled by the scenario's time scale",
    },
    scaled: { type: 'boolean', description: 'the same as --scale drill' },
    out: { type: 'string', value: 'FILE', description: 'write the rules to FILE instead of stdout' },
  },
  examples: [
    'npx firedrill slo rules --scenario bad-pricing > slo-rules.yaml && promtool check rules slo-rules.yaml',
    'npx firedrill slo rules --target examples/shop-target/target.yaml --format sloth',
  ],
})
