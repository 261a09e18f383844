import { defineCommand } from '../command-definition.ts'

export const paymentsFaultDefinition = defineCommand({
  name: 'payments fault',
  summary: "show or change the payment provider's fault mode for every process of a running shop",
  description:
    "Shows, clears or sets the payment provider's fault mode. It lives in Redis, and every process that calls " +
    'the provider reads it per request, so one command changes it for all of them. Modes: none, latency (--ms), ' +
    'error-rate (--percent), outage, rate-limit (--retry-after [--percent]).',
  positionals: [
    { name: 'show|clear|set', description: 'what to do' },
    { name: 'MODE', description: 'the fault mode, for set', optional: true },
  ],
  options: {
    ms: { type: 'string', value: 'N', description: 'latency: milliseconds added to each call' },
    percent: {
      type: 'string',
      value: 'P',
      description: 'error-rate, rate-limit: share of calls affected (0..100)',
    },
    'retry-after': {
      type: 'string',
      value: 'S',
      description: 'rate-limit: seconds in the Retry-After header',
    },
    redis: { type: 'string', value: 'URL', description: "the running shop's Redis (serve prints it)" },
    prefix: {
      type: 'string',
      value: 'NAME',
      default: 'firedrill',
      description: "the running shop's key prefix",
    },
  },
  examples: ['npx firedrill payments fault set error-rate --percent 30 --redis redis://127.0.0.1:41235'],
})
