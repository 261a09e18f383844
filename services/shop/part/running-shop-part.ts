import type { ShopPartRole } from './shop-part-config.ts'

/** One part of the shop, started in this process. */
export interface RunningShopPart {
  role: ShopPartRole
  instance: string
  /** Where it listens: an api instance or the flags service; a worker's metrics server. */
  url: string
  /** Its Prometheus metrics. */
  metricsUrl: string
  /** Stops taking requests, lets in-flight requests and jobs finish, closes its connections. Idempotent. */
  close(): Promise<void>
}
