import { toUtf8ByteString } from './utf8-byte-string.ts'

/** The context property that carries the values a rewritten `fractional` hashes (see {@link rewriteFractional}). */
export const BUCKETING_PROPERTY = '$firedrill'

/** What a flag's evaluation must add to the context under {@link BUCKETING_PROPERTY}. */
export interface BucketingNeeds {
  /** `bucketKey`: the UTF-8 byte string of flag key + targeting key, flagd's default bucketing value. */
  bucketKey: boolean
  /** `context`: the context with every string as its UTF-8 byte string, for explicit bucketing expressions. */
  context: boolean
}

export interface RewrittenTargeting {
  targeting: unknown
  needs: BucketingNeeds
}

const FLAG_KEY_VAR = '$flagd.flagKey'
const BUCKET_KEY_VAR = `${BUCKETING_PROPERTY}.bucketKey`
const CONTEXT_VAR = `${BUCKETING_PROPERTY}.context`

/**
 * Rewrites every `fractional` in a flagd targeting rule so that flagd-core hashes what the flagd daemon hashes:
 * the UTF-8 bytes of the bucketing value.
 *
 * - `{"fractional": [["on", 5], ["off", 95]]}` (bucketing by flag key + targeting key) takes its bucketing value
 *   from `$firedrill.bucketKey`, which {@link withBucketingValues} sets only when the targeting key is a non-empty
 *   string; otherwise the rule gives null, as the daemon's does.
 * - An explicit bucketing expression (`{"cat": [{"var": "$flagd.flagKey"}, {"var": "email"}]}`) reads the
 *   context's values as UTF-8 byte strings (`{"var": "email"}` → `{"var": "$firedrill.context.email"}`), its
 *   string literals and `$flagd.flagKey` become byte strings, and when it gives null the default bucketing value
 *   is used, as the daemon does. `cat`, `var`, `if` and equality keep their meaning over byte strings; operators
 *   that count characters (`substr`) count bytes there.
 *
 * Buckets (variant names and weights, which may be expressions themselves) are left as they are, apart from any
 * `fractional` nested inside them. For ASCII keys and values nothing hashes differently.
 */
export function rewriteFractional(flagKey: string, targeting: unknown): RewrittenTargeting {
  const needs: BucketingNeeds = { bucketKey: false, context: false }
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite)
    if (!isObject(node)) return node
    const entries = Object.entries(node)
    if (entries.length === 1 && entries[0]![0] === 'fractional' && Array.isArray(entries[0]![1]))
      return { fractional: rewriteArgs(entries[0]![1]) }
    return Object.fromEntries(entries.map(([key, value]) => [key, rewrite(value)]))
  }
  const rewriteArgs = (args: unknown[]): unknown[] => {
    const [first, ...rest] = args
    if (args.length === 0) return args
    if (first === null || Array.isArray(first)) {
      needs.bucketKey = true
      return [{ var: BUCKET_KEY_VAR }, ...(first === null ? rest : args).map(rewrite)]
    }
    const value = encodeExpression(first, flagKey, needs)
    if (!isObject(first)) return [value, ...rest.map(rewrite)]
    needs.bucketKey = true
    // The daemon drops a bucketing value that came out null and buckets by flag key + targeting key.
    return [{ if: [{ '==': [value, null] }, { var: BUCKET_KEY_VAR }, value] }, ...rest.map(rewrite)]
  }
  return { targeting: rewrite(targeting), needs }
}

/** A bucketing expression that computes over the context's UTF-8 byte strings. */
function encodeExpression(node: unknown, flagKey: string, needs: BucketingNeeds): unknown {
  if (typeof node === 'string') return toUtf8ByteString(node)
  if (Array.isArray(node)) return node.map((item) => encodeExpression(item, flagKey, needs))
  if (!isObject(node)) return node
  const entries = Object.entries(node)
  if (entries.length === 1 && entries[0]![0] === 'var') return encodeVar(entries[0]![1], flagKey, needs)
  return Object.fromEntries(entries.map(([key, value]) => [key, encodeExpression(value, flagKey, needs)]))
}

function encodeVar(args: unknown, flagKey: string, needs: BucketingNeeds): unknown {
  const [path, ...fallback] = Array.isArray(args) ? args : [args]
  if (path === FLAG_KEY_VAR) return toUtf8ByteString(flagKey)
  const encodedFallback = fallback.map((item) => encodeExpression(item, flagKey, needs))
  if (typeof path === 'string' && path.startsWith('$flagd.')) return { var: [path, ...encodedFallback] }
  if (path === undefined || path === null || path === '' || (Array.isArray(path) && path.length === 0)) {
    needs.context = true
    return { var: [CONTEXT_VAR, ...encodedFallback] }
  }
  if (typeof path === 'string' || typeof path === 'number') {
    needs.context = true
    return { var: [`${CONTEXT_VAR}.${path}`, ...encodedFallback] }
  }
  // A computed path: nothing to map it onto; it reads the context as it is.
  return { var: Array.isArray(args) ? args : [args] }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
