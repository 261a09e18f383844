/** The options every command that runs a drill (`run`, `train`) takes, worded once. */
export const DRILL_OPTIONS = {
  scenario: {
    type: 'string',
    value: 'NAME|PATH',
    default: 'bad-pricing',
    description: 'a catalog scenario (firedrill scenarios) or the path of a scenario.yaml',
  },
  seed: { type: 'string', value: 'N', description: "overrides the scenario's seed (0..4294967295)" },
  out: {
    type: 'string',
    value: 'DIR',
    description: 'where the run goes (default .firedrill/runs/<run-id>/)',
  },
  redis: {
    type: 'string',
    value: 'URL',
    description: 'the Redis to use (default REDIS_URL, a local one, or a private one)',
  },
} as const
