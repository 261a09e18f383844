import type { Logger } from '@openfeature/core'
import { FlagdCore } from '@openfeature/flagd-core'
import { Utf8BucketingStorage } from './utf8-bucketing-storage.ts'

const silent: Logger = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} }

/**
 * The flag evaluator every firedrill process uses: flagd-core, with `fractional` bucketing by the UTF-8 bytes
 * of the bucketing value as the flagd daemon does, so a team's flagd and firedrill put every targeting key
 * (`kunde-ü…`, `客户…` included) in the same bucket. flagd-core alone hashes UTF-16 code units, which differ
 * from UTF-8 bytes for any key outside ASCII.
 */
export function createFlagdCore(logger: Logger = silent): FlagdCore {
  return new FlagdCore(new Utf8BucketingStorage(logger), logger)
}
