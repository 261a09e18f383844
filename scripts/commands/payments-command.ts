import { parseFaultMode } from '../../services/payments/fault-mode.ts'
import { RedisFaultModeStore } from '../../services/payments/fault-mode-store.ts'
import { didYouMeanSuffix } from '../../services/platform/did-you-mean.ts'
import { createRedisConnection } from '../../services/platform/redis/redis-connection.ts'
import { provisionRedis } from '../../services/platform/redis/redis-provisioner.ts'
import { UsageError } from '../cli-errors.ts'
import type { Command } from '../command.ts'
import { usageText } from '../command-definition.ts'
import { paymentsFaultDefinition } from '../definitions/payments-definition.ts'
import { intOption, parseCommandArgs } from '../parse-command-args.ts'
import { findSubcommand } from '../subcommand.ts'

const MODES = 'none, latency (--ms), error-rate (--percent), outage, rate-limit (--retry-after [--percent])'

/**
 * The payment provider's fault mode for a running shop. It lives in Redis, and every process that calls the
 * provider reads it per request, so one command changes it for all of them.
 */
export const paymentsCommand: Command = {
  name: 'payments',
  async run(argv) {
    const { rest } = findSubcommand('payments', [paymentsFaultDefinition], argv)
    const { values, positionals } = parseCommandArgs(rest, paymentsFaultDefinition)
    const [action, mode] = positionals
    if (action !== 'show' && action !== 'clear' && action !== 'set') {
      const suggestion = didYouMeanSuffix(action ?? '', ['show', 'clear', 'set'])
      throw new UsageError(
        `Unknown action "${action}": use show, clear or set.${suggestion}\n${usageText(paymentsFaultDefinition)}`,
      )
    }
    if (action === 'set' && mode === undefined) throw new UsageError(`Missing MODE: one of ${MODES}.`)
    const fault =
      action === 'set'
        ? parseFaultMode(
            {
              mode,
              ...(values.ms === undefined ? {} : { ms: intOption(values.ms, 'ms', 0, 0, 600_000) }),
              ...(values.percent === undefined
                ? {}
                : { percent: intOption(values.percent, 'percent', 0, 0, 100) }),
              ...(values['retry-after'] === undefined
                ? {}
                : { retryAfterSeconds: intOption(values['retry-after'], 'retry-after', 0, 0, 3600) }),
            },
            'the command line',
          )
        : undefined

    const redis = await provisionRedis({ url: values.redis, startPrivate: false })
    const connection = createRedisConnection(redis.url, 'worker')
    try {
      const store = new RedisFaultModeStore(connection, values.prefix)
      if (action === 'clear') await store.clear()
      if (fault !== undefined) await store.set(fault)
      process.stdout.write(`${JSON.stringify(await store.get())}\n`)
      return 0
    } finally {
      await connection.quit()
    }
  },
}
