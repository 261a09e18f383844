import { defineCommand } from '../command-definition.ts'

const common = {
  'deploys-url': {
    type: 'string',
    value: 'URL',
    description:
      "the drill's deploys API, where the queue control lives too (default FIREDRILL_DEPLOYS_URL; the page prints it)",
  },
  json: { type: 'boolean', description: "print the API's answer as JSON" },
} as const

const move = (verb: string) =>
  ({
    reason: {
      type: 'string',
      value: 'TEXT',
      required: true,
      description: `why the queue is ${verb}; it goes into the journal`,
    },
    actor: { type: 'string', value: 'NAME', description: 'who does it, in the journal (default $USER)' },
    ...common,
  }) as const

export const queueStatusDefinition = defineCommand({
  name: 'queue status',
  summary: "whether a running drill's fulfilment queue is paused, its jobs, and who paused it",
  options: common,
  examples: ['FIREDRILL_DEPLOYS_URL=… FIREDRILL_DEPLOYS_TOKEN=… npx firedrill queue status'],
})

export const queuePauseDefinition = defineCommand({
  name: 'queue pause',
  summary:
    "pause a running drill's fulfilment queue: the workers finish the jobs in hand and take no new one; orders are held (token in FIREDRILL_DEPLOYS_TOKEN)",
  options: move('paused'),
  examples: ['FIREDRILL_DEPLOYS_TOKEN=… npx firedrill queue pause --reason "workers fail every new order"'],
})

export const queueResumeDefinition = defineCommand({
  name: 'queue resume',
  summary: "resume a running drill's fulfilment queue: the workers take the held orders again",
  options: move('resumed'),
  examples: [
    'FIREDRILL_DEPLOYS_TOKEN=… npx firedrill queue resume --reason "the flag is off; safe to go on"',
  ],
})
