import type { EvaluationContext, Logger } from '@openfeature/core'
import { FeatureFlag, type Flag } from '@openfeature/flagd-core'
import { type BucketingNeeds, rewriteFractional } from './rewrite-fractional.ts'
import { withBucketingValues } from './with-bucketing-values.ts'

/**
 * A flagd-core flag whose `fractional` rules bucket as the flagd daemon does (by the UTF-8 bytes of the
 * bucketing value): its targeting is rewritten once, when loaded, and each evaluation adds the byte strings the
 * rewritten rule hashes. Everything else (variants, metadata, reasons, errors) is flagd-core's own.
 */
export class Utf8BucketedFlag extends FeatureFlag {
  readonly #needs: BucketingNeeds

  constructor(key: string, flag: Flag, logger: Logger) {
    const rewritten = flag.targeting === undefined ? undefined : rewriteFractional(key, flag.targeting)
    const definition = rewritten ? { ...flag, targeting: rewritten.targeting as Flag['targeting'] } : flag
    super(key, definition, logger)
    this.#needs = rewritten?.needs ?? { bucketKey: false, context: false }
  }

  override evaluate(context: EvaluationContext, logger?: Logger): ReturnType<FeatureFlag['evaluate']> {
    return super.evaluate(withBucketingValues(context, this.key, this.#needs), logger)
  }
}
