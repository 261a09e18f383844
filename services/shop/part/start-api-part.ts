import type { Logger } from '../../platform/logger.ts'
import { startApiInstance } from '../start-api-instance.ts'
import type { RunningShopPart } from './running-shop-part.ts'
import type { ShopPartConfig } from './shop-part-config.ts'

/** A checkout api instance, with a flag provider and Redis connections of its own. */
export async function startApiPart(config: ShopPartConfig, logger?: Logger): Promise<RunningShopPart> {
  const api = await startApiInstance({
    redisUrl: config.redisUrl,
    prefix: config.prefix,
    host: config.host,
    port: config.port,
    instance: config.instance,
    flagsResyncIntervalMs: config.flagsResyncIntervalMs,
    processMetrics: config.processMetrics,
    ...(Object.keys(config.responseHeaders).length > 0 ? { responseHeaders: config.responseHeaders } : {}),
    ...(logger === undefined ? {} : { logger }),
  })
  return {
    role: 'api',
    instance: config.instance,
    url: api.url,
    metricsUrl: `${api.url}/metrics`,
    close: () => api.close(),
  }
}
