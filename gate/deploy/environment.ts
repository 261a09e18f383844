import { type ShopProcess, startShopProcess } from '../../services/shop/process/start-shop-process.ts'
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
  /** The level of each api process's logs, which are kept (the last lines) for its errors. @defaultValue 'warn' */
  logLevel?: string
  /** Told every log line an api process writes (the training console shows them). @defaultValue none */
  onLogLine?: (line: string) => void
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
  instance: ShopProcess | null
}

/**
 * A named set of api slots sharing one Redis and prefix, each running one api instance from some artifact, as a
 * process of its own started from the artifact's code (`node --import tsx`, an environment holding nothing
 * secret). Only api instances live here: the flags service and the fulfilment workers are not rolled by a deploy.
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
   * Starts `artifact`'s api on the slot's port, as a process running the artifact's own code, and resolves once
   * it listens. The slot must be stopped first. Rejects (leaving the slot empty) when the artifact's api cannot
   * start; the error carries the last lines the process wrote.
   */
  async startSlot(slot: number, artifact: Artifact): Promise<string> {
    const target = this.#slot(slot)
    if (target.instance !== null)
      throw new Error(`api slot ${slot} of ${this.name} is running; stop it first`)
    const instance = await startShopProcess(artifact.dir, {
      role: 'api',
      redisUrl: this.redisUrl,
      prefix: this.prefix,
      host: this.host,
      port: target.port,
      instance: `${this.name}-${slot}`,
      responseHeaders: {
        [ARTIFACT_COMMIT_HEADER]: artifact.commit,
        [ARTIFACT_HASH_HEADER]: artifact.contentHash,
      },
      logLevel: this.#options.logLevel ?? 'warn',
      output: 'capture',
      ...(this.#options.onLogLine === undefined ? {} : { onOutputLine: this.#options.onLogLine }),
      ...(this.#options.flagsResyncIntervalMs === undefined
        ? {}
        : { flagsResyncIntervalMs: this.#options.flagsResyncIntervalMs }),
    })
    target.instance = instance
    target.artifact = artifact
    target.port = Number(new URL(instance.url).port)
    return instance.url
  }

  /** The process id of the slot's api instance, or null while the slot runs nothing. */
  pidOf(slot: number): number | null {
    return this.#slot(slot).instance?.pid ?? null
  }

  /** Stops the slot's instance (in-flight requests finish first, within its bound); the slot then runs nothing. */
  async stopSlot(slot: number): Promise<void> {
    const target = this.#slot(slot)
    const instance = target.instance
    target.instance = null
    target.artifact = null
    await instance?.stop()
  }

  /** Stops every slot, side by side. */
  async close(): Promise<void> {
    await Promise.all(this.slots.map((slot) => this.stopSlot(slot)))
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
