import { describe, expect, it } from 'vitest'
import { testRedisUrl } from '../../test/support/redis-sandbox.ts'
import { runKillPattern } from './testing/kill-pattern.ts'

describe('fulfilment while worker processes are SIGKILLed', () => {
  it('loses no order, charges none twice and fails none the provider charged', async () => {
    // The harsh pattern, shortened: kills land between a charge and its answer, and jobs stall twice.
    const report = await runKillPattern({
      redisUrl: testRedisUrl(),
      orders: 100,
      kills: 10,
      killGapMs: [300, 1000],
      lockMs: 1000,
      stalledMs: 500,
      providerDelayMs: 1500,
      seed: 7,
      concurrency: 8,
      paymentsTimeoutMs: 4000,
      reconcileIntervalMs: 500,
      settleTimeoutMs: 60_000,
    })
    expect(report).toMatchObject({ accepted: 100, killed: 10 })
    expect({
      lost: report.lost,
      pending: report.pending,
      doubleCharges: report.doubleCharges,
      chargedButFailed: report.chargedButFailed,
      paidWithoutCharge: report.paidWithoutCharge,
    }).toEqual({ lost: 0, pending: 0, doubleCharges: 0, chargedButFailed: 0, paidWithoutCharge: 0 })
    expect(report.paid + report.failed).toBe(100)
  }, 240_000)
})
