import { defineCommand } from '../command-definition.ts'

export const scenariosDefinition = defineCommand({
  name: 'scenarios',
  summary: 'the scenario catalog',
  options: {
    json: { type: 'boolean', description: 'print the catalog as a JSON array' },
  },
})
