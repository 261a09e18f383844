import { defineCommand } from '../command-definition.ts'

export const detectReplayDefinition = defineCommand({
  name: 'detect replay',
  summary:
    "replay a drill's SLI series against other burn-rate rules: when each fires, how often in steady state",
  positionals: [{ name: 'RUN_DIR', description: 'the run directory (holds journal.jsonl)' }],
  options: {
    rules: {
      type: 'string',
      value: 'FILE',
      multiple: true,
      required: true,
      description: 'a rule set (YAML, as the scenario writes its detection rules); may be repeated',
    },
    json: { type: 'boolean', description: 'print the replay as JSON' },
  },
})
