import { JournalBuilder } from './journal-builder.ts'
import type { JournalEvent } from './journal-event.ts'

export interface SampleDrillOptions {
  /** Leave out everything from this offset (ms) on, as a crash would. */
  crashAtMs?: number
  /** Leave the alert (and the page and acknowledgement) out: detection failed. */
  withoutAlert?: boolean
}

/**
 * A hand-made journal of one bad-pricing drill with round figures, for tests and examples.
 * Offsets from 12:00:00Z: release 6 s, first failure 7.2 s, alert 20 s, ack 23 s, flag off 24 s,
 * recovery 27 s. Traffic: 31 one-second intervals of 40 requests from 1 s to 32 s, 74 failures.
 */
export function sampleDrillJournal(options: SampleDrillOptions = {}): JournalEvent[] {
  const j = new JournalBuilder()
  const flag = 'checkout.new-pricing'
  // Failures per second as exposure grows (5 %, 25 %, 50 %), then drains after the flag goes off at 24 s.
  const failuresAt = (second: number): number => {
    if (second < 6 || second >= 27) return 0
    if (second < 11) return 1
    if (second < 16) return 3
    if (second < 24) return 6
    return 2
  }
  const timeline: [number, () => void][] = [
    [
      0,
      () =>
        j.add('drill.started', {
          runId: 'run-sample',
          scenario: 'bad-pricing',
          title: 'Coupon orders fail on the new pricing path',
          seed: 42,
          timeScale: 1 / 240,
          slo: { objective: 0.99, window: '30d' },
          flag,
          responder: 'bot',
        }),
    ],
    [0, () => j.add('phase.entered', { phase: 'preflight' })],
    [
      500,
      () =>
        j.add('check.passed', {
          name: 'redis-reachable',
          evidence: { url: 'redis://127.0.0.1:6379', pingMs: 1 },
        }),
    ],
    [1_000, () => j.add('phase.entered', { phase: 'steady-state-before' })],
    [1_000, () => j.add('traffic.started', { ratePerSecond: 40, seed: 42 })],
    [
      6_000,
      () =>
        j.add('steady-state.checked', {
          when: 'before',
          ok: true,
          requests: 200,
          failures: 0,
          errorRatio: 0,
          maxErrorRatio: 0.005,
          minRequests: 100,
        }),
    ],
    [6_000, () => j.add('phase.entered', { phase: 'release' })],
    [
      6_000,
      () =>
        j.add('flag.changed', {
          key: flag,
          from: false,
          to: true,
          percent: 5,
          actor: 'firedrill-release',
          reason: 'canary step 1',
        }),
    ],
    [6_000, () => j.add('release.step', { flag, step: 0, percent: 5, holdSeconds: 5 })],
    [
      7_200,
      () =>
        j.add('request.first-failure', {
          status: 500,
          route: 'POST /orders',
          detail: 'coupon pricing failed',
        }),
    ],
    [
      11_000,
      () =>
        j.add('flag.changed', {
          key: flag,
          from: true,
          to: true,
          percent: 25,
          actor: 'firedrill-release',
          reason: 'canary step 2',
        }),
    ],
    [11_000, () => j.add('release.step', { flag, step: 1, percent: 25, holdSeconds: 5 })],
    [
      16_000,
      () =>
        j.add('flag.changed', {
          key: flag,
          from: true,
          to: true,
          percent: 50,
          actor: 'firedrill-release',
          reason: 'canary step 3',
        }),
    ],
    [16_000, () => j.add('release.step', { flag, step: 2, percent: 50, holdSeconds: 10 })],
    [
      16_000,
      () =>
        j.add('sli.evaluated', {
          rule: 'fast-burn',
          errorRatios: { '1h': 0.04, '5m': 0.075 },
          burnRates: { '1h': 4, '5m': 7.5 },
        }),
    ],
    [
      20_000,
      () =>
        options.withoutAlert ||
        j.add('alert.fired', {
          alert: 'fast-burn',
          severity: 'page',
          burnRates: { long: 15.1, short: 15 },
          threshold: 14.4,
          windows: { long: '1h', short: '5m' },
        }),
    ],
    [
      20_000,
      () =>
        options.withoutAlert ||
        j.add('page.sent', {
          alert: 'fast-burn',
          to: 'lola.hilll',
          channel: 'pagerduty-events-v2',
          dedupKey: 'run-sample/fast-burn',
        }),
    ],
    [20_000, () => j.add('phase.entered', { phase: 'respond' })],
    [
      23_000,
      () => options.withoutAlert || j.add('page.acknowledged', { alert: 'fast-burn', by: 'responder-bot' }),
    ],
    [
      24_000,
      () =>
        j.add('flag.changed', {
          key: flag,
          from: true,
          to: false,
          percent: 0,
          actor: 'responder-bot',
          reason: 'fast-burn page: kill switch',
        }),
    ],
    [
      24_000,
      () =>
        j.add('mitigation.applied', {
          action: 'flag-off',
          flag,
          by: 'responder-bot',
          reason: 'fast-burn page: kill switch',
        }),
    ],
    [24_000, () => j.add('phase.entered', { phase: 'recover' })],
    [27_000, () => j.add('recovery.confirmed', { errorRatio: 0, consecutiveEvaluations: 4 })],
    [27_000, () => options.withoutAlert || j.add('alert.resolved', { alert: 'fast-burn' })],
    [27_000, () => j.add('phase.entered', { phase: 'steady-state-after' })],
    [
      32_000,
      () =>
        j.add('steady-state.checked', {
          when: 'after',
          ok: true,
          requests: 200,
          failures: 0,
          errorRatio: 0,
          maxErrorRatio: 0.005,
          minRequests: 100,
        }),
    ],
    [32_000, () => j.add('traffic.stopped', { requests: 1_240, failures: 74 })],
    [33_000, () => j.add('drill.finished', { outcome: 'recovered', durationMs: 33_000 })],
  ]
  for (let s = 1; s < 32; s++) {
    const failures = failuresAt(s)
    timeline.push([
      (s + 1) * 1_000,
      () =>
        j.add('traffic.interval', {
          index: s - 1,
          from: j.iso(s * 1_000),
          to: j.iso((s + 1) * 1_000),
          requests: 40,
          failures,
          dropped: 0,
          byStatus: failures > 0 ? { '201': 40 - failures, '500': failures } : { '201': 40 },
          latencyP50Ms: 4,
          latencyP99Ms: 12,
        }),
    ])
  }
  timeline.sort((a, b) => a[0] - b[0])
  for (const [offset, add] of timeline) {
    if (options.crashAtMs !== undefined && offset >= options.crashAtMs) break
    j.at(offset)
    add()
  }
  return j.build()
}
