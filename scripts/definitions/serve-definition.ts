import { defineCommand } from '../command-definition.ts'

export const serveDefinition = defineCommand({
  name: 'serve',
  summary: 'run the shop until Ctrl-C, each part in its own process; --role runs one part here',
  description:
    'Runs the shop until Ctrl-C (or SIGTERM, or a closed terminal): api instances on consecutive ports, ' +
    'workers and the flags service, each in a process of its own; prints where everything listens and the token ' +
    'flag flips need. With --role, runs one part in the foreground, for another host that shares the Redis.',
  forms: [
    'serve [--api N] [--workers M] [--port P] [--flags-port P] [--host ADDR] [--concurrency N] [--redis URL] [--prefix NAME] [--change SCENARIO]',
    'serve --role api|worker|flags [--port P] [--instance NAME] [--host ADDR] [--concurrency N] [--redis URL] [--prefix NAME]',
  ],
  options: {
    api: { type: 'string', value: 'N', description: 'api instances, 1..64 (default 2)' },
    workers: { type: 'string', value: 'M', description: 'fulfilment workers, 0..64 (default 1)' },
    port: {
      type: 'string',
      value: 'P',
      description: 'the first api port, 0 for any free port (default 3000; with --role flags 3100, worker 0)',
    },
    'flags-port': {
      type: 'string',
      value: 'P',
      description: "the flags service's port (default --port + 100)",
    },
    host: { type: 'string', value: 'ADDR', description: 'the address to listen on (default 127.0.0.1)' },
    concurrency: { type: 'string', value: 'N', description: 'jobs each worker handles at once (default 4)' },
    role: { type: 'string', value: 'api|worker|flags', description: 'run only this part, in the foreground' },
    instance: {
      type: 'string',
      value: 'NAME',
      description: 'with --role: names this part in logs and metrics',
    },
    redis: {
      type: 'string',
      value: 'URL',
      description:
        'the Redis to use (default REDIS_URL, a local one, or a private one; --role needs one running)',
    },
    prefix: { type: 'string', value: 'NAME', default: 'firedrill', description: 'the key prefix in Redis' },
    change: {
      type: 'string',
      value: 'SCENARIO',
      description:
        "serve the shop with a catalog scenario's change deployed dark behind its flag (a game day's target), e.g. bad-pricing",
    },
  },
})
