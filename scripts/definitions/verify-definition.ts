import { defineCommand } from '../command-definition.ts'

export const verifyDefinition = defineCommand({
  name: 'verify',
  summary:
    'action items merged through the gate, the bad change replayed red (0 all hold, 1 some fall short)',
  description:
    'Holds every action item of a postmortem against its repository (each done item closed by a trunk commit ' +
    'with its Refs: trailer and a green gate record; open items not past due) and replays the bad change on ' +
    "today's trunk, which the gate must refuse. Takes postmortem.json or the postmortem.md beside it; without " +
    "--repo it judges the run's own repository (sandbox/ beside the postmortem), else the current directory, " +
    'and says which it judged.',
  positionals: [
    { name: 'POSTMORTEM', description: 'postmortem.json or postmortem.md (a run prints its path)' },
  ],
  options: {
    repo: {
      type: 'string',
      value: 'DIR',
      description: "the repository to judge (default the run's sandbox/ beside the postmortem, else .)",
    },
    trunk: {
      type: 'string',
      value: 'BRANCH',
      description: "the trunk (default the gate file's trunk, else main)",
    },
    json: { type: 'boolean', description: 'print the verdict as JSON' },
    'no-replay': { type: 'boolean', description: 'skip the replay of the bad change' },
    'lint-only': { type: 'boolean', description: "only the postmortem's own lint, without the repository" },
  },
  examples: ['npx firedrill verify .firedrill/runs/<run-id>/postmortem.md'],
})
