/**
 * # RedisFlagProvider: how flag definitions reach every api instance
 *
 * The definitions live in Redis (a hash, flag key → flagd JSON) next to a revision counter that every change
 * bumps in the same atomic step that rewrites the definition, appends the audit entry and PUBLISHes
 * `{"revision":N,"flagsChanged":[key]}` on the changes channel (see `RedisFlagStore`).
 *
 * Each provider keeps its own copy of all definitions in a `FlagdCore` and evaluates from memory, so an
 * evaluation never waits on Redis and never throws. The copy is kept current three ways:
 *
 * 1. **Channel**: a subscriber connection of its own listens on the changes channel. A message that carries the
 *    changed flag's definition and the copy's next revision is applied as it stands, without reading Redis back
 *    (the fast path: the kill switch reaches an api process in one message); any other message whose revision
 *    differs from the copy's triggers a reload.
 * 2. **Periodic resync**: every `resyncIntervalMs` (5 s by default) it reads the revision and reloads when it
 *    differs. Pub/sub is fire-and-forget (a message sent while the subscriber reconnects is lost), so this
 *    bounds how stale a copy can get. With `listen: false` this is the only path (a benchmark's baseline).
 * 3. **Reconnect**: when the subscriber connection comes back, it resyncs at once.
 *
 * A reload reads the revision and every definition in one MULTI, so a copy is always one whole revision.
 * "Differs", not "is greater": a Redis that restarted empty and was seeded again starts over at revision 1.
 * Reloads run one at a time; a request for one while another runs makes one more run after it.
 *
 * After a reload that changed flags it emits `PROVIDER_CONFIGURATION_CHANGED` with `flagsChanged`. When a
 * sync fails (Redis gone) it keeps serving the last copy with reason `STALE` and emits `PROVIDER_STALE`;
 * when a sync succeeds again it emits `PROVIDER_READY`. A store that turns up empty after the copy held
 * flags (Redis wiped) counts as a failed sync: the last copy beats nothing. Before the first sync every
 * evaluation returns the caller's default with reason `ERROR` and `PROVIDER_NOT_READY`; an unknown flag
 * returns the caller's default with `FLAG_NOT_FOUND`. `waitForRevision(n)` resolves once the copy has
 * revision n or later, to measure propagation without sleeping.
 */

import type { FlagdCore } from '@openfeature/flagd-core'
import {
  ErrorCode,
  type EvaluationContext,
  type FlagValue,
  type FlagValueType,
  type JsonValue,
  type Logger,
  OpenFeatureEventEmitter,
  type Provider,
  ProviderEvents,
  type ResolutionDetails,
  StandardResolutionReasons,
} from '@openfeature/server-sdk'
import type { Redis } from 'ioredis'
import { type LeaseWatchdog, startLeaseWatchdog } from '../leases/index.ts'
import { DEFAULT_PREFIX } from '../platform/keys.ts'
import {
  closeConnection,
  createRedisConnection,
  type RedisRole,
  waitForReady,
} from '../platform/redis/redis-connection.ts'
import { withTimeout } from '../platform/with-timeout.ts'
import { createFlagdCore } from './bucketing/create-flagd-core.ts'
import { type FlagDefinition, toFlagdConfiguration } from './flag-definition.ts'
import { flagLeaseReverter } from './flag-lease-reverter.ts'
import type { FlagChangeMessage, FlagStore } from './flag-store.ts'
import { FlagsSyncFailedError } from './flags-errors.ts'
import { flagKeys } from './flags-keys.ts'
import { RedisFlagStore } from './redis-flag-store.ts'
import { RevisionWaiters } from './revision-waiters.ts'

export interface RedisFlagProviderOptions {
  /**
   * A redis:// URL, or a connection whose settings to copy. Either way the provider opens its own two
   * connections (a fail-fast command connection and a subscriber) and closes them in `onClose`.
   */
  redis: string | Redis
  /** @defaultValue 'firedrill' */
  prefix?: string
  /** How often to compare revisions with Redis, in ms. @defaultValue 5000 */
  resyncIntervalMs?: number
  /** Subscribe to the changes channel; false leaves only the periodic resync. @defaultValue true */
  listen?: boolean
  /** How long `initialize` waits for Redis before it rejects (it keeps retrying after). @defaultValue 5000 */
  initTimeoutMs?: number
  /** OpenFeature-style logger (pino fits). @defaultValue silent */
  logger?: Logger
  /**
   * Watch the drills' leases under the prefix and put back any flag whose lease lapsed (before the first
   * load, then every `leaseCheckIntervalMs`), so a shop serves nothing a dead drill left on. @defaultValue true
   */
  watchLeases?: boolean
  /** @defaultValue 500 */
  leaseCheckIntervalMs?: number
  /** Who puts a flag back, in the audit log. @defaultValue 'flag provider' */
  leaseClaimant?: string
}

/** How fresh the provider's copy is. */
export type FlagSyncState = 'not-ready' | 'ready' | 'stale' | 'closed'

/** One flag evaluated without a type, as OFREP answers it. */
export interface AnyFlagEvaluation {
  key: string
  value?: JsonValue
  variant?: string
  reason: string
  metadata: Record<string, string | number | boolean>
  errorCode?: ErrorCode
  errorDetails?: string
}

/** Epoch ms with the monotonic clock's resolution: comparable between processes on one machine. */
const now = () => performance.timeOrigin + performance.now()

const silent: Logger = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} }

export class RedisFlagProvider implements Provider {
  readonly metadata = { name: 'firedrill-redis' } as const
  readonly runsOn = 'server' as const
  readonly events = new OpenFeatureEventEmitter()

  readonly #options: Required<Omit<RedisFlagProviderOptions, 'logger'>>
  #leases: LeaseWatchdog | undefined
  readonly #logger: Logger
  readonly #core: FlagdCore
  #command: Redis | undefined
  #subscriber: Redis | undefined
  #store: FlagStore | undefined
  #timer: NodeJS.Timeout | undefined
  #initializing: Promise<void> | undefined
  /** `initialize` rejected: the first sync that succeeds owes the SDK a READY event. */
  #readyOwed = false
  #closing: Promise<void> | undefined

  #synced = false
  #stale = false
  #revision = 0
  /** The definitions of the copy being served, at `#revision`. */
  #flags: Record<string, FlagDefinition> = {}
  /** When the copy at `#revision` began to be served (epoch ms, sub-millisecond). */
  #appliedAt = 0
  #lastError: unknown
  #syncing: Promise<boolean> | undefined
  #again = false
  readonly #waiters = new RevisionWaiters()

  constructor(options: RedisFlagProviderOptions) {
    this.#options = {
      redis: options.redis,
      prefix: options.prefix ?? DEFAULT_PREFIX,
      resyncIntervalMs: options.resyncIntervalMs ?? 5000,
      listen: options.listen ?? true,
      initTimeoutMs: options.initTimeoutMs ?? 5000,
      watchLeases: options.watchLeases ?? true,
      leaseCheckIntervalMs: options.leaseCheckIntervalMs ?? 500,
      leaseClaimant: options.leaseClaimant ?? 'flag provider',
    }
    this.#logger = options.logger ?? silent
    this.#core = createFlagdCore(this.#logger)
  }

  /** The revision of the copy being served; 0 before the first sync. */
  get revision(): number {
    return this.#revision
  }

  /**
   * The copy being served: its revision and when this process began serving it (epoch ms from
   * `performance.timeOrigin`, sub-millisecond), so a flip can be timed to the moment each process serves it.
   */
  get served(): { revision: number; appliedAt: number } {
    return { revision: this.#revision, appliedAt: this.#appliedAt }
  }

  get syncState(): FlagSyncState {
    if (this.#closing) return 'closed'
    if (!this.#synced) return 'not-ready'
    return this.#stale ? 'stale' : 'ready'
  }

  /** Opens the connections, subscribes, starts the resync timer and loads every definition. Idempotent. */
  initialize(): Promise<void> {
    this.#initializing ??= this.#initialize()
    return this.#initializing
  }

  async #initialize(): Promise<void> {
    const { prefix, listen, resyncIntervalMs, initTimeoutMs } = this.#options
    const command = this.#connect('command')
    this.#command = command
    // The provider waits for the connection itself, below; the store need not.
    this.#store = new RedisFlagStore(command, prefix, { connectTimeoutMs: 0 })
    if (listen) {
      const subscriber = this.#connect('subscriber')
      this.#subscriber = subscriber
      subscriber.on('message', (_channel: string, message: string) => this.#onMessage(message))
      // ioredis subscribes again by itself after a reconnect; what was published meanwhile is lost.
      subscriber.on('ready', () => {
        if (this.#synced) void this.sync()
      })
      try {
        await withTimeout(subscriber.subscribe(flagKeys(prefix).changes), initTimeoutMs, 'subscribe')
      } catch (err) {
        this.#logger.warn(
          `flags: not subscribed to changes yet (${(err as Error).message}); resync covers it`,
        )
      }
    }
    this.#timer = setInterval(() => void this.sync(), resyncIntervalMs)
    this.#timer.unref()
    try {
      await waitForReady(command, initTimeoutMs)
    } catch (err) {
      this.#lastError = err
    }
    if (this.#options.watchLeases) {
      this.#leases = startLeaseWatchdog({
        redis: command,
        prefix,
        claimant: this.#options.leaseClaimant,
        reverters: { flag: flagLeaseReverter(this.#store) },
        intervalMs: this.#options.leaseCheckIntervalMs,
        onReverted: ({ change }) => {
          this.#logger.warn(`flags: the lease on ${change.target} lapsed; put back to its safe value`)
          void this.sync()
        },
      })
      // Before the first load: nothing a dead drill left on is ever served.
      await this.#leases.check()
    }
    if (await this.sync()) return
    this.#readyOwed = true
    throw new FlagsSyncFailedError(describe(this.#lastError), this.#lastError)
  }

  /**
   * Compares revisions with Redis and reloads when they differ. Never throws: resolves true when the copy is
   * current, false when Redis could not be read (the copy is then stale). Concurrent calls share one run,
   * plus one more run after it, so a call made after a write always sees that write.
   */
  sync(): Promise<boolean> {
    if (this.#closing || !this.#store) return Promise.resolve(false)
    if (this.#syncing) {
      this.#again = true
      return this.#syncing
    }
    this.#syncing = (async () => {
      let ok: boolean
      do {
        this.#again = false
        ok = await this.#syncOnce()
      } while (this.#again && !this.#closing)
      return ok
    })().finally(() => {
      this.#syncing = undefined
    })
    return this.#syncing
  }

  async #syncOnce(): Promise<boolean> {
    const store = this.#store!
    try {
      if (this.#synced && (await store.revision()) === this.#revision) {
        this.#markFresh()
        return true
      }
      const snapshot = await store.snapshot()
      if (this.#closing) return false
      const keys = Object.keys(snapshot.flags)
      if (keys.length === 0 && this.#core.getFlags().size > 0)
        throw new Error('the flag store is empty (Redis wiped?); serving the last known definitions')
      const changed = this.#core.setConfigurations(toFlagdConfiguration(snapshot.flags))
      const first = !this.#synced
      if (first || snapshot.revision !== this.#revision) this.#appliedAt = now()
      this.#revision = snapshot.revision
      this.#flags = snapshot.flags
      this.#synced = true
      this.#markFresh()
      if (!first && changed.length > 0)
        this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: changed })
      this.#waiters.settle(this.#revision)
      return true
    } catch (err) {
      this.#lastError = err
      if (this.#synced && !this.#stale && !this.#closing) {
        this.#stale = true
        this.#logger.warn(`flags: sync failed, serving revision ${this.#revision} (${describe(err)})`)
        this.events.emit(ProviderEvents.Stale, { message: describe(err) })
      }
      return false
    }
  }

  /** A sync succeeded: announce READY if the copy was stale, or if `initialize` gave up before this. */
  #markFresh(): void {
    if (this.#stale || this.#readyOwed) {
      this.#stale = false
      this.#readyOwed = false
      this.events.emit(ProviderEvents.Ready, { message: `flags at revision ${this.#revision}` })
    }
  }

  #onMessage(message: string): void {
    let change: FlagChangeMessage | undefined
    try {
      change = JSON.parse(message) as FlagChangeMessage
    } catch {
      // not ours to judge: reload anyway
    }
    const revision = change?.revision
    if (revision !== undefined && this.#synced && revision === this.#revision) return
    if (change !== undefined && this.#applyChange(change)) return
    void this.sync()
  }

  /**
   * The fast path: a one-flag change that follows the copy being served (its revision is the next one), applied
   * from the message alone. Anything else (a gap, a reload under way, a copy gone stale, a definition flagd
   * refuses) is false, and the caller reloads from Redis instead.
   */
  #applyChange(change: FlagChangeMessage): boolean {
    const { definitions } = change
    if (
      definitions === undefined ||
      typeof definitions !== 'object' ||
      !this.#synced ||
      this.#stale ||
      this.#syncing !== undefined ||
      this.#closing !== undefined ||
      change.revision !== this.#revision + 1
    )
      return false
    const flags = { ...this.#flags, ...definitions }
    let changed: string[]
    try {
      changed = this.#core.setConfigurations(toFlagdConfiguration(flags))
    } catch {
      return false
    }
    this.#appliedAt = now()
    this.#revision = change.revision
    this.#flags = flags
    if (changed.length > 0) this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: changed })
    this.#waiters.settle(this.#revision)
    return true
  }

  /** Resolves once the copy being served has revision `revision` or later; rejects after `timeoutMs`. */
  waitForRevision(revision: number, timeoutMs = 10_000): Promise<void> {
    if (this.#synced && this.#revision >= revision) return Promise.resolve()
    return this.#waiters.waitFor(revision, timeoutMs, () => this.#revision)
  }

  resolveBooleanEvaluation(
    flagKey: string,
    defaultValue: boolean,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<boolean>> {
    return Promise.resolve(this.#resolve('boolean', flagKey, defaultValue, context))
  }

  resolveStringEvaluation(
    flagKey: string,
    defaultValue: string,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<string>> {
    return Promise.resolve(this.#resolve('string', flagKey, defaultValue, context))
  }

  resolveNumberEvaluation(
    flagKey: string,
    defaultValue: number,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<number>> {
    return Promise.resolve(this.#resolve('number', flagKey, defaultValue, context))
  }

  resolveObjectEvaluation<T extends JsonValue>(
    flagKey: string,
    defaultValue: T,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<T>> {
    return Promise.resolve(this.#resolve('object', flagKey, defaultValue, context))
  }

  #resolve<T extends FlagValue>(
    type: FlagValueType,
    flagKey: string,
    defaultValue: T,
    context: EvaluationContext,
  ): ResolutionDetails<T> {
    if (!this.#synced)
      return {
        value: defaultValue,
        reason: StandardResolutionReasons.ERROR,
        errorCode: ErrorCode.PROVIDER_NOT_READY,
        errorMessage: 'flag definitions have not been loaded from Redis yet',
      }
    try {
      const resolution = this.#core.resolve(type, flagKey, defaultValue, context, this.#logger)
      if (this.#stale && resolution.reason !== StandardResolutionReasons.ERROR)
        return { ...resolution, reason: StandardResolutionReasons.STALE }
      return resolution
    } catch (err) {
      return {
        value: defaultValue,
        reason: StandardResolutionReasons.ERROR,
        errorCode: ErrorCode.GENERAL,
        errorMessage: describe(err),
      }
    }
  }

  /** Evaluates a flag whatever its type (OFREP's way): no caller default, so a disabled flag has no value. */
  evaluate(flagKey: string, context: EvaluationContext): AnyFlagEvaluation {
    if (!this.#synced)
      return {
        key: flagKey,
        reason: StandardResolutionReasons.ERROR,
        metadata: {},
        errorCode: ErrorCode.PROVIDER_NOT_READY,
        errorDetails: 'flag definitions have not been loaded from Redis yet',
      }
    const flag = this.#core.getFlag(flagKey)
    if (!flag)
      return {
        key: flagKey,
        reason: StandardResolutionReasons.ERROR,
        metadata: {},
        errorCode: ErrorCode.FLAG_NOT_FOUND,
        errorDetails: `flag '${flagKey}' not found`,
      }
    const metadata = flag.metadata as Record<string, string | number | boolean>
    if (flag.state === 'DISABLED')
      return { key: flagKey, reason: StandardResolutionReasons.DISABLED, metadata }
    try {
      const result = flag.evaluate(context, this.#logger)
      if (result.value === undefined)
        return {
          key: flagKey,
          reason: StandardResolutionReasons.ERROR,
          metadata,
          errorCode: result.errorCode ?? ErrorCode.GENERAL,
          errorDetails: result.errorMessage ?? 'the flag has no default variant',
        }
      return {
        key: flagKey,
        value: result.value,
        ...(result.variant === undefined ? {} : { variant: result.variant }),
        reason: this.#stale ? StandardResolutionReasons.STALE : result.reason,
        metadata,
      }
    } catch (err) {
      return {
        key: flagKey,
        reason: StandardResolutionReasons.ERROR,
        metadata,
        errorCode: ErrorCode.GENERAL,
        errorDetails: describe(err),
      }
    }
  }

  /** The keys of every flag in the copy. */
  flagKeys(): string[] {
    return [...this.#core.getFlags().keys()]
  }

  /** Stops the timer, unsubscribes and quits both connections. Idempotent. */
  onClose(): Promise<void> {
    this.#closing ??= this.#close()
    return this.#closing
  }

  async #close(): Promise<void> {
    clearInterval(this.#timer)
    this.#leases?.stop()
    this.#waiters.close('flags: the provider was closed')
    await this.#initializing?.catch(() => {})
    await this.#syncing
    const subscriber = this.#subscriber
    if (subscriber?.status === 'ready')
      await withTimeout(
        subscriber.unsubscribe(flagKeys(this.#options.prefix).changes),
        500,
        'unsubscribe',
      ).catch(() => {})
    await Promise.all([closeConnection(subscriber), closeConnection(this.#command)])
  }

  #connect(role: RedisRole): Redis {
    const { redis } = this.#options
    if (typeof redis === 'string') return createRedisConnection(redis, role)
    const copy = redis.duplicate(
      role === 'command'
        ? { maxRetriesPerRequest: 1, enableOfflineQueue: false }
        : { maxRetriesPerRequest: null, enableOfflineQueue: true },
    )
    copy.on('error', () => {})
    return copy
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err ?? 'unknown error')
}
