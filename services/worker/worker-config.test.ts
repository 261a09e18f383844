import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ServiceErrorCode } from '../platform/errors.ts'
import { DEFAULT_PAYMENTS_API_KEY, loadWorkerConfig } from './worker-config.ts'

const base = { REDIS_URL: 'redis://127.0.0.1:6379' }

const numericVars = {
  FIREDRILL_WORKER_CONCURRENCY: { key: 'concurrency', min: 1, max: 256 },
  FIREDRILL_WORKER_STALLED_INTERVAL_MS: { key: 'stalledIntervalMs', min: 100, max: 600_000 },
  FIREDRILL_WORKER_LOCK_DURATION_MS: { key: 'lockDurationMs', min: 100, max: 600_000 },
  FIREDRILL_WORKER_RECONCILE_INTERVAL_MS: { key: 'reconcileIntervalMs', min: 100, max: 600_000 },
  FIREDRILL_WORKER_PAYMENTS_TIMEOUT_MS: { key: 'paymentsTimeoutMs', min: 100, max: 600_000 },
} as const

describe('worker environment', () => {
  it('fills in documented defaults and freezes the result', () => {
    const config = loadWorkerConfig({ ...base, UNRELATED: 'x' })
    expect(config).toEqual({
      redisUrl: base.REDIS_URL,
      prefix: 'firedrill',
      apiKey: DEFAULT_PAYMENTS_API_KEY,
      concurrency: 4,
      stalledIntervalMs: 30_000,
      lockDurationMs: 30_000,
      reconcileIntervalMs: 5000,
      paymentsTimeoutMs: 10_000,
    })
    expect(Object.isFrozen(config)).toBe(true)
  })

  it('requires REDIS_URL, naming it', () => {
    expect(() => loadWorkerConfig({})).toThrow(
      expect.objectContaining({ code: ServiceErrorCode.CONFIG_INVALID, variable: 'REDIS_URL', exitCode: 2 }),
    )
    expect(() => loadWorkerConfig({ REDIS_URL: 'http://x' })).toThrow(
      expect.objectContaining({ variable: 'REDIS_URL' }),
    )
  })

  it('reads any in-range integer it is given', () => {
    for (const [variable, { key, min, max }] of Object.entries(numericVars)) {
      fc.assert(
        fc.property(fc.integer({ min, max }), (n) => {
          expect(loadWorkerConfig({ ...base, [variable]: String(n) })[key]).toBe(n)
        }),
      )
    }
  })

  it('refuses a bad value, naming the variable, instead of falling back to the default', () => {
    for (const [variable, { min, max }] of Object.entries(numericVars)) {
      const bad = fc.oneof(
        fc.string().filter((s) => !/^\d+$/.test(s)),
        fc.integer({ min: 0, max: min - 1 }).map(String),
        fc.integer({ min: max + 1, max: 999_999_999 }).map(String),
        fc.constantFrom('1.5', ' 4', '4 ', '-1', '0x10', '1e3', ''),
      )
      fc.assert(
        fc.property(bad, (value) => {
          expect(() => loadWorkerConfig({ ...base, [variable]: value })).toThrow(
            expect.objectContaining({ code: ServiceErrorCode.CONFIG_INVALID, variable }),
          )
        }),
      )
    }
    expect(() => loadWorkerConfig({ ...base, FIREDRILL_PREFIX: 'has space' })).toThrow(
      expect.objectContaining({ variable: 'FIREDRILL_PREFIX' }),
    )
  })
})
