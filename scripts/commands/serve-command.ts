import { resolveFlagsToken } from '../../services/flags/index.ts'
import { createLogger } from '../../services/platform/logger.ts'
import { provisionRedis } from '../../services/platform/redis/redis-provisioner.ts'
import { startShop } from '../../services/shop/start-shop.ts'
import type { Command } from '../command.ts'
import { serveDefinition } from '../definitions/serve-definition.ts'
import { intOption, parseCommandArgs } from '../parse-command-args.ts'

export const serveCommand: Command = {
  name: 'serve',
  async run(argv) {
    const { values } = parseCommandArgs(argv, serveDefinition)
    const apiInstances = intOption(values.api, 'api', 2, 1, 64)
    const workers = intOption(values.workers, 'workers', 1, 0, 64)
    const apiPort = intOption(values.port, 'port', 3000, 0, 65535)
    const flagsPort = intOption(
      values['flags-port'],
      'flags-port',
      apiPort === 0 ? 0 : apiPort + 100,
      0,
      65535,
    )
    const token = resolveFlagsToken(process.env)

    const redis = await provisionRedis({ url: values.redis })
    const logger = createLogger('shop')
    let shop: Awaited<ReturnType<typeof startShop>>
    try {
      shop = await startShop({
        redisUrl: redis.url,
        prefix: values.prefix ?? 'firedrill',
        apiInstances,
        workers,
        apiPort,
        flagsPort,
        flagsToken: token.token,
        logger,
      })
    } catch (err) {
      await redis.stop()
      throw err
    }

    const lines = [
      `redis     ${redis.url} (${redis.source})`,
      ...shop.apiUrls.map((url, i) => `api ${String(i).padEnd(5)} ${url}`),
      `flags     ${shop.flagsUrl}`,
      ...shop.workerMetricsUrls.map((url, i) => `worker ${String(i).padEnd(2)} ${url}`),
      token.generated
        ? `token     ${token.token}  (generated for this run; set FIREDRILL_FLAGS_TOKEN to choose one)`
        : 'token     from FIREDRILL_FLAGS_TOKEN',
    ]
    process.stdout.write(`${lines.join('\n')}\nThe shop is running. Ctrl-C stops it.\n`)

    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        resolve()
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    })
    process.stderr.write('stopping: finishing requests and jobs in hand\n')
    await shop.close()
    await redis.stop()
    return 0
  },
}
