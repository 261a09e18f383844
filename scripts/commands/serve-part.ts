import { resolveFlagsToken } from '../../services/flags/flags-token.ts'
import { provisionRedis } from '../../services/platform/redis/redis-provisioner.ts'
import { createPartLogger } from '../../services/shop/part/part-logger.ts'
import { runShopPart } from '../../services/shop/part/run-shop-part.ts'
import type { ShopPartRole } from '../../services/shop/part/shop-part-config.ts'
import { ignoreBrokenOutput } from './ignore-broken-output.ts'
import { checkPartOptions } from './serve-options.ts'

export interface ServePartOptions {
  role: ShopPartRole
  port: number
  instance: string
  host: string
  concurrency: number
  redis: string | undefined
  prefix: string
}

/**
 * One part of the shop in this process, in the foreground: for a host that joins a shop through its Redis.
 * It never starts a private Redis, which would hold none of the shop's state.
 */
export async function servePart(options: ServePartOptions): Promise<number> {
  ignoreBrokenOutput()
  const token = options.role === 'flags' ? resolveFlagsToken(process.env) : undefined
  const redis = await provisionRedis({ url: options.redis, startPrivate: false })
  const config = checkPartOptions({
    role: options.role,
    redisUrl: redis.url,
    prefix: options.prefix,
    host: options.host,
    port: options.port,
    instance: options.instance,
    workerConcurrency: options.concurrency,
    logLevel: process.env.LOG_LEVEL ?? 'info',
    ...(token === undefined ? {} : { flagsToken: token.token }),
  })
  const logger = createPartLogger(config.role, config.instance, config.logLevel)
  const end = await runShopPart(config, {
    logger,
    onReady: (part) => {
      const url = part.role === 'worker' ? part.metricsUrl : part.url
      const lines = [
        `redis     ${redis.url} (${redis.source}), prefix ${config.prefix}`,
        `${part.role} ${part.instance}  ${url}  pid ${process.pid}`,
        ...(token === undefined
          ? []
          : [
              token.generated
                ? `token     ${token.token}  (generated; set FIREDRILL_FLAGS_TOKEN to the shop's token)`
                : 'token     from FIREDRILL_FLAGS_TOKEN',
            ]),
      ]
      process.stdout.write(`${lines.join('\n')}\nRunning one part of the shop. Ctrl-C stops it.\n`)
    },
  })
  return end.exitCode
}
