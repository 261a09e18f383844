import { defineCommand } from '../command-definition.ts'

export const planDefinition = defineCommand({
  name: 'plan',
  summary: "preflight checks and the drill's plan, changing nothing (0 ready, 1 not)",
  options: {
    scenario: {
      type: 'string',
      value: 'NAME|PATH',
      default: 'bad-pricing',
      description: 'a catalog scenario or the path of a scenario.yaml',
    },
    redis: { type: 'string', value: 'URL', description: 'the Redis the preflight checks' },
  },
})
