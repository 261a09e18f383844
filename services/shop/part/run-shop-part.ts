import type { Logger } from '../../platform/logger.ts'
import { listenForStop, type StopReason } from './listen-for-stop.ts'
import type { RunningShopPart } from './running-shop-part.ts'
import type { ShopPartConfig } from './shop-part-config.ts'
import { startShopPart } from './start-shop-part.ts'

export interface RunShopPartOptions {
  logger: Logger
  /** Stop when the parent process goes away (its IPC channel closes). @defaultValue false */
  watchParent?: boolean
  /** Called once the part takes requests or jobs. */
  onReady(part: RunningShopPart): void
}

/** How a part's run ended; `exitCode` is what its process should exit with. */
export interface ShopPartRunEnd {
  reason: StopReason
  outcome: 'stopped' | 'timed-out' | 'failed' | 'forced' | 'not-started'
  exitCode: number
}

/**
 * Runs one part of the shop in this process until it is asked to stop (SIGTERM, SIGINT, SIGHUP, or the parent's
 * death), then stops it gracefully: in-flight requests and jobs finish, within `config.shutdownTimeoutMs`. Past
 * that, or on a second signal, it gives up waiting, Redis down or not. A stop asked for while the part is still
 * starting ends the run at once. The caller exits the process with `exitCode` (which also drops whatever did
 * not close). A part that cannot start rejects with its error.
 */
export async function runShopPart(
  config: ShopPartConfig,
  options: RunShopPartOptions,
): Promise<ShopPartRunEnd> {
  const { logger } = options
  const stop = listenForStop({ watchParent: options.watchParent ?? false })
  try {
    const starting = startShopPart(config, logger)
    const first = await Promise.race([
      starting.then((part) => ({ part })),
      stop.requested.then((reason) => ({ reason })),
    ])
    if ('reason' in first) {
      starting
        .then(
          (part) => part.close(),
          () => {},
        )
        .catch(() => {})
      logger.warn({ reason: first.reason }, 'asked to stop while starting: exiting')
      return { reason: first.reason, outcome: 'not-started', exitCode: 1 }
    }
    const { part } = first
    logger.info({ url: part.url }, `${config.role} ready`)
    options.onReady(part)

    const reason = await stop.requested
    logger.info({ reason }, 'stopping: finishing the requests and jobs in hand')
    const outcome = await stopWithin(part, config.shutdownTimeoutMs, stop.insisted)
    if (outcome === 'stopped') logger.info('stopped')
    else logger.warn({ outcome, shutdownTimeoutMs: config.shutdownTimeoutMs }, 'stopped without finishing')
    return { reason, outcome, exitCode: outcome === 'stopped' ? 0 : 1 }
  } finally {
    stop.dispose()
  }
}

async function stopWithin(
  part: RunningShopPart,
  timeoutMs: number,
  insisted: Promise<StopReason>,
): Promise<'stopped' | 'timed-out' | 'failed' | 'forced'> {
  let timer: NodeJS.Timeout | undefined
  const outcome = await Promise.race([
    part.close().then(
      () => 'stopped' as const,
      () => 'failed' as const,
    ),
    new Promise<'timed-out'>((resolve) => {
      timer = setTimeout(() => resolve('timed-out'), timeoutMs)
    }),
    insisted.then(() => 'forced' as const),
  ])
  clearTimeout(timer)
  return outcome
}
