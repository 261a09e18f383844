import fc from 'fast-check'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { redisSandbox } from '../../test/support/redis-sandbox.ts'
import { keyspace } from '../platform/keys.ts'
import { createRedisConnection, waitForReady } from '../platform/redis/redis-connection.ts'
import { type FaultMode, parseFaultMode } from './fault-mode.ts'
import { RedisFaultModeStore } from './fault-mode-store.ts'
import { PaymentsErrorCode } from './payments-errors.ts'

const validMode: fc.Arbitrary<FaultMode> = fc.oneof(
  fc.constant({ mode: 'none' as const }),
  fc.constant({ mode: 'outage' as const }),
  fc.record({ mode: fc.constant('latency' as const), ms: fc.integer({ min: 0, max: 600_000 }) }),
  fc.record({ mode: fc.constant('error-rate' as const), percent: fc.integer({ min: 0, max: 100 }) }),
  fc.record(
    {
      mode: fc.constant('rate-limit' as const),
      retryAfterSeconds: fc.integer({ min: 0, max: 3600 }),
      percent: fc.integer({ min: 0, max: 100 }),
    },
    { requiredKeys: ['mode', 'retryAfterSeconds'] },
  ),
  fc.record({ mode: fc.constant('timeout-after-charge' as const), ms: fc.integer({ min: 0, max: 600_000 }) }),
)

describe('fault mode parsing', () => {
  it('accepts every mode the schema describes, unchanged', () => {
    fc.assert(
      fc.property(validMode, (mode) => {
        expect(parseFaultMode(JSON.parse(JSON.stringify(mode)), 'test')).toEqual(mode)
      }),
    )
  })

  it('refuses a percent outside 0..100 with a code', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ max: -1 }), fc.integer({ min: 101 })), (percent) => {
        expect(() => parseFaultMode({ mode: 'error-rate', percent }, 'test')).toThrow(
          expect.objectContaining({ code: PaymentsErrorCode.FAULT_MODE_INVALID, exitCode: 2 }),
        )
      }),
    )
  })

  it('refuses unknown modes, unknown fields and non-objects with a code', () => {
    for (const bad of [
      { mode: 'flaky' },
      { mode: 'outage', extra: 1 },
      { mode: 'latency' },
      'outage',
      null,
    ]) {
      expect(() => parseFaultMode(bad, 'test')).toThrow(
        expect.objectContaining({ code: PaymentsErrorCode.FAULT_MODE_INVALID }),
      )
    }
  })
})

describe('fault mode store', () => {
  const sandbox = redisSandbox()
  const other = createRedisConnection(sandbox.url, 'command')

  beforeAll(() => waitForReady(other))

  afterEach(async () => {
    await sandbox.redis.del(keyspace(sandbox.prefix).paymentsFault)
  })

  afterAll(async () => {
    await other.quit()
    await sandbox.close()
  })

  it('is seen by another process through its own connection', async () => {
    const writer = new RedisFaultModeStore(sandbox.redis, sandbox.prefix)
    const reader = new RedisFaultModeStore(other, sandbox.prefix)
    expect(await reader.get()).toEqual({ mode: 'none' })
    await writer.set({ mode: 'rate-limit', retryAfterSeconds: 2, percent: 30 })
    expect(await reader.get()).toEqual({ mode: 'rate-limit', retryAfterSeconds: 2, percent: 30 })
    await writer.clear()
    expect(await reader.get()).toEqual({ mode: 'none' })
  })

  it('refuses to store a bad mode, and stores nothing', async () => {
    const store = new RedisFaultModeStore(sandbox.redis, sandbox.prefix)
    const bad = { mode: 'error-rate', percent: 140 } as unknown as FaultMode
    await expect(store.set(bad)).rejects.toMatchObject({ code: PaymentsErrorCode.FAULT_MODE_INVALID })
    expect(await sandbox.redis.exists(keyspace(sandbox.prefix).paymentsFault)).toBe(0)
  })

  it('reports a corrupt value in Redis with a code instead of guessing', async () => {
    await sandbox.redis.set(keyspace(sandbox.prefix).paymentsFault, '{"mode":"meltdown"}')
    await expect(new RedisFaultModeStore(other, sandbox.prefix).get()).rejects.toMatchObject({
      code: PaymentsErrorCode.FAULT_MODE_INVALID,
    })
  })
})
