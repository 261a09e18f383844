import { defineCommand } from '../command-definition.ts'

const where = {
  name: {
    type: 'string',
    value: 'NAME',
    default: 'default',
    description: 'which proxy (every proxy of that name on that Redis shares the fault)',
  },
  redis: { type: 'string', value: 'URL', description: 'the Redis the proxies share (it must be running)' },
  prefix: { type: 'string', value: 'NAME', default: 'firedrill', description: 'the key prefix in Redis' },
} as const

export const proxyServeDefinition = defineCommand({
  name: 'proxy serve',
  summary: "an HTTP fault proxy in front of a service's dependency, until Ctrl-C",
  options: {
    target: {
      type: 'string',
      value: 'URL',
      required: true,
      description: 'the dependency to stand in front of',
    },
    port: { type: 'string', value: 'P', description: 'the port to listen on (default: any free port)' },
    ...where,
  },
})

export const proxyFaultDefinition = defineCommand({
  name: 'proxy fault',
  summary: 'show, clear or set the fault a proxy injects: latency, status codes, resets, for a share',
  positionals: [{ name: 'show|clear|set', description: 'what to do' }],
  options: {
    'latency-ms': { type: 'string', value: 'N', description: 'set: milliseconds added to a request' },
    'latency-percent': {
      type: 'string',
      value: 'P',
      description: 'set: share of requests delayed (default 100)',
    },
    status: { type: 'string', value: 'CODE', description: 'set: the status code answered instead' },
    'status-percent': { type: 'string', value: 'P', description: 'set: share of requests answered so' },
    'reset-percent': { type: 'string', value: 'P', description: 'set: share of connections reset' },
    seed: { type: 'string', value: 'N', description: 'set: the same request meets the same faults' },
    reason: { type: 'string', value: 'TEXT', description: 'why (set needs it; kept with who and when)' },
    by: { type: 'string', value: 'WHO', description: 'who changes it (default: your user name)' },
    ...where,
  },
})
