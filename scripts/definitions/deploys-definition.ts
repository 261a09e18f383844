import { defineCommand } from '../command-definition.ts'

const common = {
  'deploys-url': {
    type: 'string',
    value: 'URL',
    description: "the drill's deploys API (default FIREDRILL_DEPLOYS_URL; the page prints it)",
  },
  json: { type: 'boolean', description: "print the API's answer as JSON" },
} as const

export const deploysListDefinition = defineCommand({
  name: 'deploys list',
  summary: "what a running drill's production runs, per api instance, and its deploys, newest first",
  options: common,
  examples: ['FIREDRILL_DEPLOYS_URL=… FIREDRILL_DEPLOYS_TOKEN=… npx firedrill deploys list'],
})

export const deploysRollbackDefinition = defineCommand({
  name: 'deploys rollback',
  summary:
    "roll a running drill's production back to what it ran before its latest deploy (token in FIREDRILL_DEPLOYS_TOKEN)",
  options: {
    reason: {
      type: 'string',
      value: 'TEXT',
      required: true,
      description: 'why production goes back; it goes into the journal',
    },
    actor: { type: 'string', value: 'NAME', description: 'who rolls back, in the journal (default $USER)' },
    ...common,
  },
  examples: ['FIREDRILL_DEPLOYS_TOKEN=… npx firedrill deploys rollback --reason "5xx since the deploy"'],
})
