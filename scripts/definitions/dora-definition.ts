import { defineCommand } from '../command-definition.ts'

export const doraDefinition = defineCommand({
  name: 'dora',
  summary:
    "the five DORA metrics from the runs' journals (and git) or a fourkeys events file; --compare two runs",
  forms: [
    'dora [--runs DIR] [--events FILE]... [--repo DIR] [--trunk BRANCH] [--since DATE] [--until DATE] [--window DURATION] [--json|--csv]',
    'dora --compare RUN_A RUN_B [--runs DIR] [--window DURATION] [--json]',
  ],
  positionals: [{ name: 'RUN_B', description: 'with --compare: the second run', optional: true }],
  options: {
    runs: { type: 'string', value: 'DIR', description: 'where the runs are (default .firedrill/runs)' },
    events: {
      type: 'string',
      value: 'FILE',
      multiple: true,
      description:
        "a fourkeys events file: JSON or the CSV --csv writes, fourkeys' events_raw rows, or its changes, deployments and incidents tables",
    },
    repo: { type: 'string', value: 'DIR', description: "add that repository's trunk history as changes" },
    trunk: { type: 'string', value: 'BRANCH', description: "--repo's trunk (default main)" },
    since: {
      type: 'string',
      value: 'DATE',
      description: 'the period starts (default the first production deployment)',
    },
    until: { type: 'string', value: 'DATE', description: 'the period ends (default now)' },
    window: {
      type: 'string',
      value: 'DURATION',
      description: 'how far back an incident links to a deployment (default 1d)',
    },
    json: { type: 'boolean', description: 'print the metrics and fourkeys tables as JSON' },
    csv: { type: 'boolean', description: "print the events in fourkeys' CSV shape" },
    compare: {
      type: 'string',
      value: 'RUN_A',
      description: 'compare RUN_A (before) with RUN_B (after), side by side',
    },
  },
  examples: ['npx firedrill dora --compare RUN_A RUN_B'],
})
