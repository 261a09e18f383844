import { type Static, Type } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { ConfigInvalidError } from '../platform/errors.ts'
import { DEFAULT_PREFIX } from '../platform/keys.ts'

/** The api key a shop's processes share with the provider when none is given. @defaultValue 'sk_test_firedrill' */
export const DEFAULT_PAYMENTS_API_KEY = 'sk_test_firedrill'

const Millis = Type.Integer({ minimum: 100, maximum: 600_000, default: 30_000 })

/** The worker process's environment, one schema, with defaults and no guessing. */
export const WorkerEnvSchema = Type.Object({
  /** Required: the shop's Redis. */
  REDIS_URL: Type.String({ pattern: '^rediss?://.+' }),
  /** @defaultValue 'firedrill' */
  FIREDRILL_PREFIX: Type.String({ pattern: '^[A-Za-z0-9_.:-]+$', default: DEFAULT_PREFIX }),
  /** @defaultValue 'sk_test_firedrill' */
  FIREDRILL_PAYMENTS_API_KEY: Type.String({ pattern: '^\\S+$', default: DEFAULT_PAYMENTS_API_KEY }),
  /** Jobs processed at once. @defaultValue 4 */
  FIREDRILL_WORKER_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 256, default: 4 }),
  /** How often stalled jobs are looked for. @defaultValue 30000 */
  FIREDRILL_WORKER_STALLED_INTERVAL_MS: Millis,
  /** How long a job's lock lasts without renewal (a killed worker's job is picked up after it). @defaultValue 30000 */
  FIREDRILL_WORKER_LOCK_DURATION_MS: Millis,
  /** How often pending orders whose job has ended are settled (asking the provider first). @defaultValue 5000 */
  FIREDRILL_WORKER_RECONCILE_INTERVAL_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 5000 }),
  /** How long a charge waits for the provider's answer before it counts as unanswered. @defaultValue 10000 */
  FIREDRILL_WORKER_PAYMENTS_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 10_000 }),
})

type WorkerEnv = Static<typeof WorkerEnvSchema>

export interface WorkerConfig {
  redisUrl: string
  prefix: string
  apiKey: string
  concurrency: number
  stalledIntervalMs: number
  lockDurationMs: number
  reconcileIntervalMs: number
  paymentsTimeoutMs: number
}

/** A bad environment variable: names the variable, and is never replaced by a default. */
export class WorkerEnvInvalidError extends ConfigInvalidError {
  readonly variable: string

  constructor(variable: string, message: string) {
    super(message)
    this.variable = variable
  }
}

const INTEGER_VARS = new Set([
  'FIREDRILL_WORKER_CONCURRENCY',
  'FIREDRILL_WORKER_STALLED_INTERVAL_MS',
  'FIREDRILL_WORKER_LOCK_DURATION_MS',
  'FIREDRILL_WORKER_RECONCILE_INTERVAL_MS',
  'FIREDRILL_WORKER_PAYMENTS_TIMEOUT_MS',
])

/** Reads the worker's configuration from the environment, validated against `WorkerEnvSchema`, frozen. */
export function loadWorkerConfig(env: Record<string, string | undefined>): Readonly<WorkerConfig> {
  const picked: Record<string, unknown> = {}
  for (const name of Object.keys(WorkerEnvSchema.properties)) {
    const raw = env[name]
    if (raw === undefined) continue
    picked[name] = INTEGER_VARS.has(name) && /^\d{1,9}$/.test(raw) ? Number(raw) : raw
  }
  if (picked.REDIS_URL === undefined) {
    throw new WorkerEnvInvalidError(
      'REDIS_URL',
      "Environment variable REDIS_URL is required: set it to the shop's Redis, like redis://127.0.0.1:6379.",
    )
  }
  const withDefaults = Value.Default(WorkerEnvSchema, picked)
  const first = Value.Errors(WorkerEnvSchema, withDefaults).First()
  if (first !== undefined) {
    const variable = first.path.slice(1)
    throw new WorkerEnvInvalidError(
      variable,
      `Environment variable ${variable} is invalid: ${first.message.toLowerCase()} (got ${JSON.stringify(env[variable])}). ` +
        'Fix or unset it.',
    )
  }
  const valid = withDefaults as WorkerEnv
  return Object.freeze({
    redisUrl: valid.REDIS_URL,
    prefix: valid.FIREDRILL_PREFIX,
    apiKey: valid.FIREDRILL_PAYMENTS_API_KEY,
    concurrency: valid.FIREDRILL_WORKER_CONCURRENCY,
    stalledIntervalMs: valid.FIREDRILL_WORKER_STALLED_INTERVAL_MS,
    lockDurationMs: valid.FIREDRILL_WORKER_LOCK_DURATION_MS,
    reconcileIntervalMs: valid.FIREDRILL_WORKER_RECONCILE_INTERVAL_MS,
    paymentsTimeoutMs: valid.FIREDRILL_WORKER_PAYMENTS_TIMEOUT_MS,
  })
}
