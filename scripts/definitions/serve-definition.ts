import { defineCommand } from '../command-definition.ts'

export const serveDefinition = defineCommand({
  name: 'serve',
  summary: 'run the shop (api instances, workers, flags) until Ctrl-C',
  description:
    'Runs the shop until Ctrl-C: api instances on consecutive ports, workers, and the flags service; prints ' +
    'where everything listens and the token flag flips need.',
  options: {
    api: { type: 'string', value: 'N', default: '2', description: 'api instances (1..64)' },
    workers: { type: 'string', value: 'M', default: '1', description: 'fulfilment workers (0..64)' },
    port: {
      type: 'string',
      value: 'P',
      default: '3000',
      description: 'the first api port (0: any free port)',
    },
    'flags-port': {
      type: 'string',
      value: 'P',
      description: "the flags service's port (default --port + 100)",
    },
    redis: {
      type: 'string',
      value: 'URL',
      description: 'the Redis to use (default REDIS_URL, a local one, or a private one)',
    },
    prefix: { type: 'string', value: 'NAME', default: 'firedrill', description: 'the key prefix in Redis' },
  },
})
