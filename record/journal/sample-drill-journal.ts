import { JournalBuilder } from './journal-builder.ts'
import type { JournalEvent } from './journal-event.ts'

export interface SampleDrillOptions {
  /** Leave out everything from this offset (ms) on, as a crash would. */
  crashAtMs?: number
  /** Leave the alert (and the page and acknowledgement) out: detection failed. */
  withoutAlert?: boolean
  /**
   * Add the change's path during preflight (0.1 s to 0.4 s): committed, gated green, merged, built and
   * deployed dark to staging and production.
   */
  withChangePath?: boolean
  /**
   * Add the postmortem loop after the drill (60 s on): the fix for AI-1 merged through a green gate, the bad
   * change replayed on the new trunk and blocked by the gate's `test` step, and the verifier's verdict.
   */
  withRepair?: boolean
}

/** The commits of the sample's change path and repair, 40 hex digits each. */
export const SAMPLE_COMMITS = {
  change: 'c'.repeat(40),
  changeTree: 'e'.repeat(40),
  trunk: 'a'.repeat(40),
  fix: 'f'.repeat(40),
  fixTrunk: 'b'.repeat(40),
  replay: 'd'.repeat(40),
  contentHash: `sha256-${'9'.repeat(64)}`,
} as const

const GATE_STEPS = [
  { name: 'typecheck', status: 'passed', durationMs: 1_200 },
  { name: 'test', status: 'passed', durationMs: 2_400 },
]

function addChangePath(j: JournalBuilder): void {
  const c = SAMPLE_COMMITS
  const branch = 'change/checkout.new-pricing'
  j.at(100).add('phase.entered', { phase: 'deploy' })
  j.add('change.committed', { branch, commit: c.change, title: 'New pricing engine for checkout' })
  j.at(200).add('gate.finished', {
    commit: c.change,
    tree: c.changeTree,
    green: true,
    durationMs: 3_600,
    steps: GATE_STEPS,
  })
  j.at(250).add('change.merged', { branch, commit: c.change, trunk: c.trunk })
  j.at(300).add('artifact.built', { commit: c.trunk, contentHash: c.contentHash, files: 42 })
  for (const [at, environment] of [
    [350, 'staging'],
    [400, 'production'],
  ] as const) {
    j.at(at).add('deploy.step', {
      environment,
      step: 'finished',
      commit: c.trunk,
      contentHash: c.contentHash,
      outcome: 'ok',
    })
    j.add('change.deployed', { commit: c.trunk, dark: true, artifact: c.contentHash, environment })
  }
}

function addRepair(j: JournalBuilder): void {
  const c = SAMPLE_COMMITS
  j.at(60_000).add('fix.merged', {
    branch: 'fix/AI-1',
    commit: c.fix,
    trunk: c.fixTrunk,
    actionItem: 'AI-1',
    gate: {
      green: true,
      steps: [...GATE_STEPS, { name: 'coupon-regression', status: 'passed', durationMs: 300 }],
    },
  })
  j.at(65_000).add('replay.gated', { commit: c.replay, green: false, blockedBy: ['coupon-regression'] })
  j.at(66_000).add('verify.finished', {
    holds: true,
    items: [{ id: 'AI-1', status: 'done', holds: true, reasons: [] }],
    loop: { holds: true, blockedBy: ['coupon-regression'] },
  })
}

const FLAG = 'checkout.new-pricing'

/** Failures per second at 40 req/s: 5, 25, 50 and 100 % of a 30 % coupon share, then 3 s of draining. */
function failuresAt(second: number): number {
  if (second < 6 || second >= 34) return 0
  if (second < 11) return 1
  if (second < 16) return 3
  if (second < 26) return 6
  if (second < 31) return 12
  return 2
}

/**
 * A hand-made journal of one bad-pricing drill with round figures, for tests and examples. Offsets from
 * 12:00:00Z: release 6 s (5 %, then 25 % at 11 s, 50 % at 16 s, 100 % at 26 s), first failure 7.2 s,
 * alert 27.5 s, ack 30.5 s, flag off 31 s, recovery 34 s, finished 40 s. Traffic: 38 one-second intervals
 * of 40 requests from 1 s to 39 s, 146 failures. The alert time is when a 15 s long window (1h at
 * timeScale 1/240) first burns more than 14.4× a 99 % SLO's budget for these failures.
 */
export function sampleDrillJournal(options: SampleDrillOptions = {}): JournalEvent[] {
  const j = new JournalBuilder()
  const detected = !options.withoutAlert
  const timeline: [number, (j: JournalBuilder) => void][] = [
    [
      0,
      (j) =>
        j.add('drill.started', {
          runId: 'run-sample',
          scenario: 'bad-pricing',
          title: 'Orders with unknown coupon codes fail on the new pricing path',
          seed: 42,
          timeScale: 1 / 240,
          slo: { objective: 0.99, window: '30d' },
          flag: FLAG,
          responder: 'bot',
        }),
    ],
    [0, (j) => j.add('phase.entered', { phase: 'preflight' })],
    [
      500,
      (j) =>
        j.add('check.passed', {
          name: 'redis-reachable',
          evidence: { url: 'redis://127.0.0.1:6379', pingMs: 1 },
        }),
    ],
    [1_000, (j) => j.add('phase.entered', { phase: 'steady-state-before' })],
    [1_000, (j) => j.add('traffic.started', { ratePerSecond: 40, seed: 42 })],
    [
      6_000,
      (j) =>
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
    [6_000, (j) => j.add('phase.entered', { phase: 'release' })],
    ...[
      [6_000, 0, 5, 5],
      [11_000, 1, 25, 5],
      [16_000, 2, 50, 10],
      [26_000, 3, 100, 30],
    ].map(
      ([at, step, percent, holdSeconds]) =>
        [
          at!,
          (j: JournalBuilder) =>
            j
              .add('flag.changed', {
                key: FLAG,
                from: step !== 0,
                to: true,
                percent: percent!,
                actor: 'firedrill-release',
                reason: `canary step ${step! + 1}`,
              })
              .add('release.step', {
                flag: FLAG,
                step: step! + 1,
                percent: percent!,
                holdSeconds: holdSeconds!,
              }),
        ] as [number, (j: JournalBuilder) => void],
    ),
    [
      7_200,
      (j) =>
        j.add('request.first-failure', {
          status: 500,
          route: 'POST /orders',
          detail: 'coupon pricing failed',
        }),
    ],
    [
      27_250,
      (j) =>
        j.add('sli.evaluated', {
          rule: 'fast-burn',
          errorRatios: { '1h': 0.142, '5m': 0.3 },
          burnRates: { '1h': 14.2, '5m': 30 },
        }),
    ],
    [
      27_500,
      (j) =>
        detected &&
        j.add('alert.fired', {
          alert: 'fast-burn',
          severity: 'page',
          burnRates: { long: 14.8, short: 30 },
          threshold: 14.4,
          windows: { long: '1h', short: '5m' },
        }),
    ],
    [
      27_500,
      (j) =>
        detected &&
        j.add('page.sent', {
          alert: 'fast-burn',
          to: 'lola.hilll',
          channel: 'pagerduty-events-v2',
          dedupKey: 'run-sample/fast-burn',
        }),
    ],
    [27_500, (j) => j.add('phase.entered', { phase: 'respond' })],
    [30_500, (j) => detected && j.add('page.acknowledged', { alert: 'fast-burn', by: 'responder-bot' })],
    [
      31_000,
      (j) =>
        j.add('flag.changed', {
          key: FLAG,
          from: true,
          to: false,
          percent: 0,
          actor: 'responder-bot',
          reason: 'fast-burn page: kill switch',
        }),
    ],
    [
      31_000,
      (j) =>
        j.add('mitigation.applied', {
          action: 'flag-off',
          flag: FLAG,
          by: 'responder-bot',
          reason: 'fast-burn page: kill switch',
        }),
    ],
    [31_000, (j) => j.add('phase.entered', { phase: 'recover' })],
    [34_000, (j) => j.add('recovery.confirmed', { errorRatio: 0, consecutiveEvaluations: 4 })],
    [34_000, (j) => detected && j.add('alert.resolved', { alert: 'fast-burn' })],
    [34_000, (j) => j.add('phase.entered', { phase: 'steady-state-after' })],
    [
      39_000,
      (j) =>
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
    [39_000, (j) => j.add('traffic.stopped', { requests: 1_520, failures: 146 })],
    [40_000, (j) => j.add('drill.finished', { outcome: 'recovered', durationMs: 40_000 })],
  ]
  for (let s = 1; s < 39; s++) {
    const failures = failuresAt(s)
    timeline.push([
      (s + 1) * 1_000,
      (j) =>
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
  if (options.withChangePath) timeline.push([100, addChangePath])
  if (options.withRepair) timeline.push([60_000, addRepair])
  timeline.sort((a, b) => a[0] - b[0])
  for (const [offset, add] of timeline) {
    if (options.crashAtMs !== undefined && offset >= options.crashAtMs) break
    add(j.at(offset))
  }
  return j.build()
}
