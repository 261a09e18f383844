import type { Logger } from '../platform/logger.ts'

export interface ShopOptions {
  redisUrl: string
  /** Key prefix for everything this shop keeps in Redis. @defaultValue 'firedrill' */
  prefix?: string
  /** Checkout api instances, on consecutive ports from `apiPort`. @defaultValue 2 */
  apiInstances?: number
  /** Fulfilment workers. @defaultValue 1 */
  workers?: number
  /** Loopback address every server binds to. @defaultValue '127.0.0.1' */
  host?: string
  /** The first api instance's port; 0 gives every server a free port. @defaultValue 0 */
  apiPort?: number
  /** The flags service's port (0: a free one). @defaultValue 0 */
  flagsPort?: number
  /** The bearer token that flag flips need. */
  flagsToken: string
  /** How often each flag provider resyncs, besides listening for changes. @defaultValue 5000 */
  flagsResyncIntervalMs?: number
  /** The shop's api key at the payment provider. @defaultValue 'sk_test_<prefix>' */
  paymentsApiKey?: string
  /** Jobs each worker processes at once. @defaultValue 4 */
  workerConcurrency?: number
  /** @defaultValue no logging */
  logger?: Logger
}

export interface RunningShop {
  apiUrls: string[]
  flagsUrl: string
  /** Each worker's `/metrics`. */
  workerMetricsUrls: string[]
  prefix: string
  paymentsApiKey: string
  /** Stops taking requests, lets in-flight requests and jobs finish, closes every connection. Idempotent. */
  close(): Promise<void>
}
