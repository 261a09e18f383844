import type { Logger } from '../../platform/logger.ts'
import type { RunningShopPart } from './running-shop-part.ts'
import type { ShopPartConfig } from './shop-part-config.ts'

/**
 * Starts one part of the shop in this process from a validated configuration. Each role loads only its own
 * code, so a flags process does not load BullMQ and a worker does not load the flag provider.
 */
export async function startShopPart(config: ShopPartConfig, logger?: Logger): Promise<RunningShopPart> {
  switch (config.role) {
    case 'api':
      return (await import('./start-api-part.ts')).startApiPart(config, logger)
    case 'worker':
      return (await import('./start-worker-part.ts')).startWorkerPart(config, logger)
    case 'flags':
      return (await import('./start-flags-part.ts')).startFlagsPart(config, logger)
  }
}
