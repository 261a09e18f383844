import { defineCommand } from '../command-definition.ts'

export const scoresDefinition = defineCommand({
  name: 'scores',
  summary: "trainees' scores over the recorded runs, best first, comparable within one scenario and seed",
  description:
    'Scores every trainee run under the runs directory from its journal (the rubric in training/RUBRIC.md) and ' +
    'lists them best first, grouped by scenario and seed: the same scenario and seed are the same incident.',
  options: {
    scenario: { type: 'string', value: 'NAME', description: 'only runs of this scenario' },
    runs: {
      type: 'string',
      value: 'DIR',
      default: '.firedrill/runs',
      description: 'where the runs are',
    },
    json: { type: 'boolean', default: false, description: 'print the leaderboard as one JSON object' },
  },
  examples: ['npx firedrill scores', 'npx firedrill scores --scenario bad-pricing --json'],
})
