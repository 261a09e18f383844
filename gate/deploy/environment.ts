import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Logger } from '../../services/platform/logger.ts'
import type { ApiInstanceOptions, RunningApiInstance } from '../../services/shop/start-api-instance.ts'
import type { Artifact, ArtifactRef } from '../build/artifact.ts'

export interface EnvironmentOptions {
  /** `staging`, `production`, …: names the environment in events, errors and OpenFeature domains. */
  name: string
  redisUrl: string
  /** The environment's key prefix; two environments on one Redis need different ones. */
  prefix: string
  /** @defaultValue '127.0.0.1' */
  host?: string
  /**
   * One port per api slot. A slot keeps its port across deploys; 0 takes a free port at the slot's first
   * start and keeps that one afterwards.
   */
  ports: readonly number[]
  /** @defaultValue 5000 */
  flagsResyncIntervalMs?: number
  /** @defaultValue no logging */
  logger?: Logger
}

/** What one api slot runs now. */
export interface SlotReport {
  slot: number
  /** null while the slot runs nothing. */
  url: string | null
  commit: string | null
  contentHash: string | null
}

/** The header every api instance started here answers with: the commit of the artifact it runs. */
export const ARTIFACT_COMMIT_HEADER = 'x-firedrill-artifact'
/** …and that artifact's content hash. */
export const ARTIFACT_HASH_HEADER = 'x-firedrill-content-hash'

interface Slot {
  port: number
  artifact: Artifact | null
  instance: RunningApiInstance | null
}

type StartApiInstance = (options: ApiInstanceOptions) => Promise<RunningApiInstance>

/**
 * A named set of api slots sharing one Redis and prefix, each running one api instance from some artifact.
 * Only api instances live here: the flags service and the fulfilment workers are not rolled by a deploy.
 */
export class Environment {
  readonly name: string
  readonly redisUrl: string
  readonly prefix: string
  readonly host: string
  /** Set by deployArtifact while it runs, so two deploys never interleave. */
  deploying = false
  readonly #options: EnvironmentOptions
  readonly #slots: Slot[]

  constructor(options: EnvironmentOptions) {
    this.#options = options
    this.name = options.name
    this.redisUrl = options.redisUrl
    this.prefix = options.prefix
    this.host = options.host ?? '127.0.0.1'
    this.#slots = options.ports.map((port) => ({ port, artifact: null, instance: null }))
  }

  /** The slot numbers, 0 to N-1. */
  get slots(): number[] {
    return this.#slots.map((_, i) => i)
  }

  /** What every slot runs: the environment's answer to "which build is this?". */
  current(): SlotReport[] {
    return this.#slots.map((slot, i) => ({
      slot: i,
      url: slot.instance?.url ?? null,
      commit: slot.artifact?.commit ?? null,
      contentHash: slot.artifact?.contentHash ?? null,
    }))
  }

  /** The urls of the slots that run something. */
  urls(): string[] {
    return this.#slots.flatMap((slot) => (slot.instance === null ? [] : [slot.instance.url]))
  }

  /** The artifact a slot runs, or null. */
  artifactOf(slot: number): Artifact | null {
    return this.#slot(slot).artifact
  }

  /**
   * Starts `artifact`'s api on the slot's port, loading the code from the artifact itself. The slot must be
   * stopped first. Rejects (leaving the slot empty) when the artifact's api cannot start.
   */
  async startSlot(slot: number, artifact: Artifact): Promise<string> {
    const target = this.#slot(slot)
    if (target.instance !== null)
      throw new Error(`api slot ${slot} of ${this.name} is running; stop it first`)
    const entry = pathToFileURL(join(artifact.dir, 'services', 'shop', 'start-api-instance.ts')).href
    const { startApiInstance } = (await import(entry)) as { startApiInstance: StartApiInstance }
    const instance = await startApiInstance({
      redisUrl: this.redisUrl,
      prefix: this.prefix,
      host: this.host,
      port: target.port,
      instance: `${this.name}-${slot}`,
      processMetrics: false,
      responseHeaders: {
        [ARTIFACT_COMMIT_HEADER]: artifact.commit,
        [ARTIFACT_HASH_HEADER]: artifact.contentHash,
      },
      ...(this.#options.flagsResyncIntervalMs === undefined
        ? {}
        : { flagsResyncIntervalMs: this.#options.flagsResyncIntervalMs }),
      ...(this.#options.logger === undefined ? {} : { logger: this.#options.logger }),
    })
    target.instance = instance
    target.artifact = artifact
    target.port = Number(new URL(instance.url).port)
    return instance.url
  }

  /** Stops the slot's instance (in-flight requests finish first); the slot then runs nothing. */
  async stopSlot(slot: number): Promise<void> {
    const target = this.#slot(slot)
    const instance = target.instance
    target.instance = null
    target.artifact = null
    await instance?.close()
  }

  /** Stops every slot. */
  async close(): Promise<void> {
    for (const slot of this.slots) await this.stopSlot(slot)
  }

  #slot(slot: number): Slot {
    const target = this.#slots[slot]
    if (target === undefined) throw new RangeError(`${this.name} has no api slot ${slot}`)
    return target
  }
}

/** The part of an artifact events and reports name. */
export function artifactRef(artifact: Pick<Artifact, 'commit' | 'contentHash'>): ArtifactRef {
  return { commit: artifact.commit, contentHash: artifact.contentHash }
}
