import { buildFlagsApp } from '../../flags/index.ts'
import type { Logger } from '../../platform/logger.ts'
import { listenApp } from '../start-api-instance.ts'
import type { RunningShopPart } from './running-shop-part.ts'
import type { ShopPartConfig } from './shop-part-config.ts'

/** The flags service: inventory, token-guarded flips with their audit log, OFREP evaluation. */
export async function startFlagsPart(config: ShopPartConfig, logger?: Logger): Promise<RunningShopPart> {
  if (config.flagsToken === undefined) throw new TypeError('the flags role needs flagsToken')
  const app = await buildFlagsApp({
    redisUrl: config.redisUrl,
    prefix: config.prefix,
    token: config.flagsToken,
    resyncIntervalMs: config.flagsResyncIntervalMs,
    ...(logger === undefined ? {} : { logger: logger.child({ service: 'flags' }) }),
  })
  try {
    const url = await listenApp(app, config.host, config.port)
    let closing: Promise<void> | undefined
    return {
      role: 'flags',
      instance: config.instance,
      url,
      metricsUrl: `${url}/metrics`,
      close: () => {
        closing ??= app.close()
        return closing
      },
    }
  } catch (err) {
    await app.close().catch(() => {})
    throw err
  }
}
