import { type FlagMetadata, type Logger, ParseError } from '@openfeature/core'
import { type FeatureFlag, type Flag, MemoryStorage, type Storage } from '@openfeature/flagd-core'
import { Utf8BucketedFlag } from './utf8-bucketed-flag.ts'

const EVALUATORS = '$evaluators'
const INVALID = 'invalid flagd flag configuration'

interface FlagdConfiguration {
  flags?: Record<string, Flag>
  metadata?: FlagMetadata
}

/**
 * flagd-core's storage with {@link Utf8BucketedFlag}s: it reads a flagd configuration as `MemoryStorage` does
 * (`$evaluators` and `$ref`, flag-set metadata under each flag's own, the changed keys returned) and, asked for
 * strict validation, lets `MemoryStorage` check flagd's schema first.
 */
export class Utf8BucketingStorage implements Storage {
  readonly #logger: Logger
  #flags = new Map<string, FeatureFlag>()
  #metadata: FlagMetadata = {}

  constructor(logger: Logger) {
    this.#logger = logger
  }

  getFlag(key: string): FeatureFlag | undefined {
    return this.#flags.get(key)
  }

  getFlags(): Map<string, FeatureFlag> {
    return this.#flags
  }

  getFlagSetMetadata(): FlagMetadata {
    return this.#metadata
  }

  setConfigurations(flagConfig: string, strictValidation = false): string[] {
    if (strictValidation) new MemoryStorage(this.#logger).setConfigurations(flagConfig, true)
    const { flags, metadata } = this.#parse(flagConfig)
    const previous = this.#flags
    const added = [...flags.keys()].filter((key) => !previous.has(key))
    const removed = [...previous.keys()].filter((key) => !flags.has(key))
    const changed = [...flags].filter(
      ([key, flag]) => previous.has(key) && previous.get(key)!.hash !== flag.hash,
    )
    this.#flags = flags
    this.#metadata = metadata
    return [...added, ...removed, ...changed.map(([key]) => key)]
  }

  #parse(flagConfig: string): { flags: Map<string, FeatureFlag>; metadata: FlagMetadata } {
    try {
      const parsed = JSON.parse(resolveEvaluators(flagConfig)) as FlagdConfiguration
      const metadata = parsed.metadata ?? {}
      const flags = new Map<string, FeatureFlag>()
      for (const [key, flag] of Object.entries(parsed.flags ?? {}))
        flags.set(
          key,
          new Utf8BucketedFlag(key, { ...flag, metadata: { ...metadata, ...flag.metadata } }, this.#logger),
        )
      return { flags, metadata }
    } catch (err) {
      if (err instanceof ParseError) throw err
      throw new ParseError(INVALID, { cause: err })
    }
  }
}

/** flagd's shared evaluators: each `{"$ref": "name"}` is replaced by `$evaluators.name`, as flagd-core does. */
function resolveEvaluators(flagConfig: string): string {
  const evaluators = (JSON.parse(flagConfig) as Record<string, unknown>)[EVALUATORS]
  if (typeof evaluators !== 'object' || evaluators === null) return flagConfig
  let resolved = JSON.stringify(JSON.parse(flagConfig))
  for (const [name, logic] of Object.entries(evaluators))
    resolved = resolved.replaceAll(`{"$ref":${JSON.stringify(name)}}`, JSON.stringify(logic))
  return resolved
}
