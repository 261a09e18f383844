import { defineCommand } from '../command-definition.ts'

export const sloRulesDefinition = defineCommand({
  name: 'slo rules',
  summary:
    "the scenario's SLOs as burn-rate recording and alerting rules for a team's own Prometheus (or sloth)",
  description:
    "Writes the multiwindow, multi-burn-rate recording and alerting rules of the scenario's SLOs, with the SRE " +
    "workbook's real windows (or, with --scaled, the drill's scaled ones), so a team loads the same rules in its " +
    'own Prometheus (`promtool check rules` accepts them) or gives them to sloth.',
  options: {
    scenario: {
      type: 'string',
      value: 'NAME|PATH',
      default: 'bad-pricing',
      description: 'a catalog scenario or a scenario file',
    },
    format: {
      type: 'string',
      value: 'prometheus|sloth',
      default: 'prometheus',
      description: 'the rules format',
    },
    scaled: { type: 'boolean', description: "use the drill's scaled windows instead of the real ones" },
    out: { type: 'string', value: 'FILE', description: 'write the rules to FILE instead of stdout' },
  },
  examples: [
    'npx firedrill slo rules --scenario bad-pricing > slo-rules.yaml && promtool check rules slo-rules.yaml',
  ],
})
