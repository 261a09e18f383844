import { defineCommand } from '../command-definition.ts'

export const flagsListDefinition = defineCommand({
  name: 'flags list',
  summary:
    "the flag inventory: a flags file's (owner, type, age, expiry, ticket, stage) or the running service's",
  forms: ['flags list [--file FLAGS.json [--at DATE]] [--json]', 'flags list [--flags-url URL] [--json]'],
  options: {
    file: {
      type: 'string',
      value: 'FLAGS.json',
      description: 'read this flags file instead of asking the service',
    },
    at: { type: 'string', value: 'DATE', description: 'judge ages and expiries on this day (default today)' },
    'flags-url': {
      type: 'string',
      value: 'URL',
      description: 'the flags service (default FIREDRILL_FLAGS_URL, else http://127.0.0.1:3100)',
    },
    json: { type: 'boolean', description: 'print the inventory as JSON' },
  },
})

export const flagsAuditDefinition = defineCommand({
  name: 'flags audit',
  summary: 'flag debt in a flags file (0 none, 1 debt, with each reason)',
  options: {
    file: {
      type: 'string',
      value: 'FLAGS.json',
      description: "the flags file (default the shop's services/flags/flags.json)",
    },
    root: { type: 'string', value: 'DIR', description: 'where code references to flag keys are looked for' },
    at: { type: 'string', value: 'DATE', description: 'judge ages and expiries on this day (default today)' },
    json: { type: 'boolean', description: 'print the audit as JSON' },
  },
})

export const flagsLifecycleDefinition = defineCommand({
  name: 'flags lifecycle',
  summary: 'move a flag on to completed, then archived (refused while code still names it)',
  positionals: [
    { name: 'KEY', description: "the flag's key" },
    { name: 'completed|archived', description: 'the stage to move it to' },
  ],
  options: {
    file: { type: 'string', value: 'FLAGS.json', required: true, description: 'the flags file to change' },
    root: {
      type: 'string',
      value: 'DIR',
      description: 'where code references are looked for (default here)',
    },
    json: { type: 'boolean', description: 'print the change as JSON' },
  },
})

export const flagsSetDefinition = defineCommand({
  name: 'flags set',
  summary: 'turn a flag on or off for everyone (the kill switch; token in FIREDRILL_FLAGS_TOKEN)',
  positionals: [
    { name: 'KEY', description: "the flag's key" },
    { name: 'on|off', description: 'what it serves from now on' },
  ],
  options: {
    reason: {
      type: 'string',
      value: 'TEXT',
      required: true,
      description: 'why the flag changes; it goes into the audit log',
    },
    'flags-url': {
      type: 'string',
      value: 'URL',
      description: 'the flags service (default FIREDRILL_FLAGS_URL, else http://127.0.0.1:3100)',
    },
    actor: { type: 'string', value: 'NAME', description: 'who flips it, in the audit log (default $USER)' },
    json: { type: 'boolean', description: "print the service's answer as JSON" },
  },
  examples: [
    'FIREDRILL_FLAGS_TOKEN=… npx firedrill flags set checkout.new-pricing off --reason "5xx on coupons"',
  ],
})
