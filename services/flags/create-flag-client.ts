import { randomUUID } from 'node:crypto'
import { type Client, type Logger, NOOP_PROVIDER, OpenFeature } from '@openfeature/server-sdk'
import { RedisFlagProvider } from './redis-flag-provider.ts'

export interface FlagClientOptions {
  redisUrl: string
  /** @defaultValue 'firedrill' */
  prefix?: string
  /**
   * The OpenFeature domain this client and its provider are bound to; one per api instance, so several
   * instances in one process each keep their own provider. @defaultValue a fresh `firedrill-flags-<uuid>`
   */
  domain?: string
  /** @defaultValue 5000 */
  resyncIntervalMs?: number
  /** Subscribe to the changes channel (false: periodic resync only). @defaultValue true */
  listen?: boolean
  /** How long to wait for the first load before giving up. @defaultValue 5000 */
  initTimeoutMs?: number
  logger?: Logger
}

export interface FlagClient {
  /** The OpenFeature client to evaluate with (`client.getBooleanValue('checkout.accepting-orders', true, ctx)`). */
  client: Client
  provider: RedisFlagProvider
  domain: string
  /**
   * A boolean flag for one targeting key (the api's `FlagEvaluator` shape). Never throws: `fallback` is the
   * flag's safe value, served before the first sync, for an unknown flag, or on any error.
   */
  isEnabled(flag: string, targetingKey: string, fallback: boolean): Promise<boolean>
  /** Closes the provider's connections and unbinds the domain. Idempotent. */
  close(): Promise<void>
}

/**
 * A provider of its own, bound to its own OpenFeature domain, with the definitions loaded. Rejects with
 * `FlagsSyncFailedError` when Redis cannot be read within `initTimeoutMs` (nothing is left open then).
 */
export async function createFlagClient(options: FlagClientOptions): Promise<FlagClient> {
  const domain = options.domain ?? `firedrill-flags-${randomUUID()}`
  const provider = new RedisFlagProvider({
    redis: options.redisUrl,
    ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
    ...(options.resyncIntervalMs === undefined ? {} : { resyncIntervalMs: options.resyncIntervalMs }),
    ...(options.listen === undefined ? {} : { listen: options.listen }),
    ...(options.initTimeoutMs === undefined ? {} : { initTimeoutMs: options.initTimeoutMs }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    leaseClaimant: `flag provider of ${domain}`,
  })
  let closed: Promise<void> | undefined
  const close = () => {
    closed ??= (async () => {
      await provider.onClose()
      // Unbind, unless someone has bound another provider to this domain since.
      if (OpenFeature.getProvider(domain) === provider)
        await OpenFeature.setProviderAndWait(domain, NOOP_PROVIDER)
    })()
    return closed
  }
  try {
    await OpenFeature.setProviderAndWait(domain, provider)
  } catch (err) {
    await close()
    throw err
  }
  const client = OpenFeature.getClient(domain)
  const isEnabled = async (flag: string, targetingKey: string, fallback: boolean) => {
    try {
      return await client.getBooleanValue(flag, fallback, { targetingKey })
    } catch {
      return fallback
    }
  }
  return { client, provider, domain, isEnabled, close }
}
