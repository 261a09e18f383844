import { type Static, type TSchema, Type } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { DEFAULT_PREFIX } from '../../platform/keys.ts'
import { schemaProblems } from '../../platform/schema-problems.ts'
import { ShopPartConfigInvalidError } from '../shop-errors.ts'

/** The parts of the shop that run on their own: a checkout api instance, a fulfilment worker, the flags service. */
export const SHOP_PART_ROLES = ['api', 'worker', 'flags'] as const
export type ShopPartRole = (typeof SHOP_PART_ROLES)[number]

const Millis = (fallback: number, maximum = 600_000) =>
  Type.Integer({ minimum: 100, maximum, default: fallback })

/** One part of the shop, as one process runs it. Validated once where it enters, with defaults, no unknown keys. */
export const ShopPartConfigSchema = Type.Object(
  {
    role: Type.Union(SHOP_PART_ROLES.map((role) => Type.Literal(role))),
    /** The shop's Redis, shared by every part. */
    redisUrl: Type.String({ pattern: '^rediss?://.+', expected: 'a redis:// URL' }),
    /** Key prefix of the whole shop. @defaultValue 'firedrill' */
    prefix: Type.String({
      pattern: '^[A-Za-z0-9_.:-]{1,100}$',
      default: DEFAULT_PREFIX,
      expected: 'letters, digits and _.:- (1..100)',
    }),
    /** The address to listen on. @defaultValue '127.0.0.1' */
    host: Type.String({ minLength: 1, maxLength: 255, default: '127.0.0.1' }),
    /** The port to listen on (a worker's: its metrics); 0 takes a free one. @defaultValue 0 */
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 0 }),
    /** Names the part in logs and in an api instance's OpenFeature domain (`<prefix>:api-<instance>`). @defaultValue '0' */
    instance: Type.String({
      pattern: '^[A-Za-z0-9_.:-]{1,64}$',
      default: '0',
      expected: 'letters, digits and _.:- (1..64)',
    }),
    /** The bearer token flag flips need; the flags role requires it. */
    flagsToken: Type.Optional(Type.String({ pattern: '^\\S+$', expected: 'a token without spaces' })),
    /** How often a flag provider resyncs besides listening for changes. @defaultValue 5000 */
    flagsResyncIntervalMs: Millis(5000),
    /** Headers an api instance adds to every response (e.g. the build it runs). @defaultValue none */
    responseHeaders: Type.Record(Type.String({ pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$" }), Type.String(), {
      default: {},
      additionalProperties: false,
      expected: 'a mapping of header names to strings',
    }),
    /** An api instance collects process metrics (heap, event loop lag). @defaultValue true */
    processMetrics: Type.Boolean({ default: true }),
    /** A worker's api key at the payment provider. @defaultValue 'sk_test_<prefix>' */
    paymentsApiKey: Type.Optional(Type.String({ pattern: '^\\S+$', expected: 'a key without spaces' })),
    /** Jobs a worker processes at once. @defaultValue 4 */
    workerConcurrency: Type.Integer({ minimum: 1, maximum: 256, default: 4 }),
    /** How often a worker looks for stalled jobs (a dead worker's). @defaultValue 30000 */
    workerStalledIntervalMs: Millis(30_000),
    /** How long a job's lock lasts without renewal. @defaultValue 30000 */
    workerLockDurationMs: Millis(30_000),
    /**
     * How long a graceful stop may take (in-flight requests and jobs finishing) before the process exits
     * anyway, Redis down or not. @defaultValue 3000
     */
    shutdownTimeoutMs: Millis(3000, 60_000),
    /** pino level of the part's logs (stderr). @defaultValue 'info' */
    logLevel: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
      { default: 'info' },
    ),
  },
  { additionalProperties: false },
)

export type ShopPartConfigInput = Omit<
  Partial<Static<typeof ShopPartConfigSchema>>,
  'role' | 'redisUrl' | 'logLevel'
> & {
  role: ShopPartRole
  redisUrl: string
  logLevel?: string
}

export type ShopPartConfig = Readonly<
  Omit<Static<typeof ShopPartConfigSchema>, 'paymentsApiKey' | 'role'> & {
    role: ShopPartRole
    paymentsApiKey: string
  }
>

/**
 * Checks a part's configuration against `ShopPartConfigSchema`, fills in the defaults, and freezes it.
 * `source` says where it came from in the error (`the command line`, `startShopProcess options`, …).
 * The first problem is a `ShopPartConfigInvalidError` naming the field and the fix.
 */
export function parseShopPartConfig(input: unknown, source: string): ShopPartConfig {
  const withDefaults = Value.Default(ShopPartConfigSchema, structuredClone(input ?? {}))
  const [problem] = schemaProblems(ShopPartConfigSchema, withDefaults)
  if (problem !== undefined) {
    const top = problem.path.split(/[.[]/)[0] ?? ''
    const fallback: unknown = (ShopPartConfigSchema.properties as Record<string, TSchema>)[top]?.default
    if (top === 'responseHeaders' && problem.expected.startsWith('is not a known field'))
      problem.expected = 'is not a header name'
    const fix = problem.expected.startsWith('is not a')
      ? 'Remove it, or fix its spelling.'
      : problem.got === 'nothing'
        ? `Set ${problem.path}.`
        : fallback === undefined
          ? `Fix ${problem.path}.`
          : `Fix ${problem.path}, or leave it out to take its default (${JSON.stringify(fallback)}).`
    throw new ShopPartConfigInvalidError(
      source,
      { field: top, path: problem.path },
      `${problem.expected} (got ${problem.got})`,
      fix,
    )
  }
  const valid = withDefaults as Static<typeof ShopPartConfigSchema>
  if (valid.role === 'flags' && valid.flagsToken === undefined) {
    throw new ShopPartConfigInvalidError(
      source,
      { field: 'flagsToken', path: 'flagsToken' },
      'is required by the flags role: the bearer token flag flips must carry',
      'Set FIREDRILL_FLAGS_TOKEN (or pass flagsToken) to the token the shop uses.',
    )
  }
  return Object.freeze({
    ...valid,
    role: valid.role as ShopPartRole,
    responseHeaders: Object.freeze({ ...valid.responseHeaders }),
    paymentsApiKey: valid.paymentsApiKey ?? `sk_test_${valid.prefix}`,
  })
}
