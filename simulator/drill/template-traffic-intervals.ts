import type { Clock } from '../../record/clock/clock.ts'
import type { TemplateTrafficRun } from '../traffic/start-template-traffic.ts'
import type { DrillJournal } from './drill-journal.ts'

/**
 * A target's template traffic as the journal keeps it: its outcome each second as `traffic.interval` (the
 * impact and the error budget are summed from them), and the first failure after the release as
 * `request.first-failure`. `stop()` journals the last interval.
 */
export function journalTemplateTraffic(options: {
  run: TemplateTrafficRun
  clock: Clock
  journal: DrillJournal
  track(task: Promise<unknown>): void
  /** Whether the change is released yet: a failure before it is steady-state noise. */
  released(): boolean
  route: string
}): { stop(): void } {
  const { run, clock, journal, track } = options
  let last = { at: clock.now(), requests: 0, byStatus: {} as Record<string, number> }
  let index = 0
  let firstFailureLogged = false
  const tick = () => {
    const now = clock.now()
    const { requests, byStatus } = run.summary()
    const delta: Record<string, number> = {}
    for (const [status, count] of Object.entries(byStatus)) {
      const added = count - (last.byStatus[status] ?? 0)
      if (added > 0) delta[status] = added
    }
    const dropped = delta.dropped ?? 0
    const failures = Object.entries(delta)
      .filter(([status]) => status !== 'dropped' && !/^[1-4]\d\d$/.test(status))
      .reduce((n, [, count]) => n + count, 0)
    track(
      journal.append({
        type: 'traffic.interval',
        data: {
          index: index++,
          from: new Date(last.at).toISOString(),
          to: new Date(now).toISOString(),
          requests: requests - last.requests - dropped,
          failures,
          dropped,
          byStatus: delta,
          latencyP50Ms: null,
          latencyP99Ms: null,
        },
      }),
    )
    last = { at: now, requests, byStatus: { ...byStatus } }
    if (firstFailureLogged || failures === 0 || !options.released()) return
    firstFailureLogged = true
    const status = Object.keys(delta).find((s) => s !== 'dropped' && !/^[1-4]\d\d$/.test(s)) ?? 'unknown'
    track(
      journal.append({
        type: 'request.first-failure',
        data: { status, route: options.route },
      }),
    )
  }
  const timer = setInterval(tick, 1000)
  return {
    stop() {
      clearInterval(timer)
      tick()
    },
  }
}
