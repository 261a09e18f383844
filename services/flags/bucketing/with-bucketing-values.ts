import type { EvaluationContext } from '@openfeature/core'
import { BUCKETING_PROPERTY, type BucketingNeeds } from './rewrite-fractional.ts'
import { toUtf8ByteString } from './utf8-byte-string.ts'

/**
 * The context a rewritten targeting rule (see `rewriteFractional`) is evaluated with: the caller's context plus,
 * under `$firedrill`, what the flag's `fractional` rules hash. A caller's own `$firedrill` property is replaced.
 */
export function withBucketingValues(
  context: EvaluationContext,
  flagKey: string,
  needs: BucketingNeeds,
): EvaluationContext {
  if (!needs.bucketKey && !needs.context) return context
  const values: Record<string, unknown> = {}
  const { targetingKey } = context
  if (needs.bucketKey && typeof targetingKey === 'string' && targetingKey !== '')
    values.bucketKey = toUtf8ByteString(`${flagKey}${targetingKey}`)
  if (needs.context) values.context = encodeStrings(context)
  return { ...context, [BUCKETING_PROPERTY]: values as EvaluationContext[string] }
}

function encodeStrings(value: unknown): unknown {
  if (typeof value === 'string') return toUtf8ByteString(value)
  if (Array.isArray(value)) return value.map(encodeStrings)
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, encodeStrings(item)]))
  return value
}
