/** Half of a UTF-16 surrogate pair without its other half. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/**
 * Where the first string holding a lone UTF-16 surrogate sits in `value`, as a field path from `path`
 * (`body.items.0.sku`), or undefined when every string is well-formed Unicode. JSON can carry such a string
 * (`"\ud800"`), but it is no text: Redis's Lua JSON decoder refuses it, so an order holding one could never be
 * settled.
 */
export function findLoneSurrogate(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path : undefined
  if (value === null || typeof value !== 'object') return undefined
  for (const [key, child] of Object.entries(value)) {
    const found = findLoneSurrogate(child, `${path}.${key}`)
    if (found !== undefined) return found
  }
  return undefined
}
