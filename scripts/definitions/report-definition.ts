import { defineCommand } from '../command-definition.ts'

export const reportDefinition = defineCommand({
  name: 'report',
  summary: "rebuild a run's timings, summary.json and postmortem from its journal",
  positionals: [{ name: 'RUN_DIR', description: 'the run directory (holds journal.jsonl)' }],
  options: {
    json: { type: 'boolean', description: 'print the summary as JSON' },
    junit: {
      type: 'string',
      value: 'FILE',
      description: "also write the run's checks as JUnit XML, as run --junit does",
    },
  },
})
