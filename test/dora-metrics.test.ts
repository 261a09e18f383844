import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { DoraChange, DoraDeployment, DoraEvents, DoraIncident } from '../record/dora/dora-events.ts'
import { doraMetrics, median } from '../record/dora/dora-metrics.ts'

const T0 = Date.UTC(2026, 0, 5) // a Monday, 00:00 UTC
const H = 3_600_000
const D = 24 * H
const iso = (ms: number) => new Date(T0 + ms).toISOString()

const change = (id: string, at: number, fixes?: string[]): DoraChange => ({
  change_id: id,
  time_created: iso(at),
  source: 'test',
  ...(fixes === undefined ? {} : { fixes_incidents: fixes }),
})
const deploy = (id: string, at: number, changes: string[], environment = 'production'): DoraDeployment => ({
  deploy_id: id,
  environment,
  time_created: iso(at),
  changes,
  result: 'success',
})
const incident = (
  id: string,
  at: number,
  resolvedAfter: number | null,
  deployment: string | null = null,
): DoraIncident => ({
  incident_id: id,
  time_created: iso(at),
  time_resolved: resolvedAfter === null ? null : iso(at + resolvedAfter),
  root_cause: null,
  deployment_id: deployment,
})

/** Four days, three production deployments, one staging; one incident on d2, fixed by d3. */
const week: DoraEvents = {
  changes: [change('c1', 0), change('c2', 1 * H), change('c3', D), change('fix', 2 * D + 2 * H, ['i1'])],
  deployments: [
    deploy('s1', 2 * H, ['c1', 'c2'], 'staging'),
    deploy('d1', 3 * H, ['c1', 'c2']),
    deploy('d2', D + 5 * H, ['c3']),
    deploy('d3', 3 * D + 2 * H, ['fix']),
  ],
  incidents: [incident('i1', D + 6 * H, 30 * 60_000)],
}
const now = T0 + 3 * D + 12 * H

describe('dora metrics on a known week', () => {
  const m = doraMetrics(week, { now })

  it('counts production deployments per calendar day of the period', () => {
    expect(m.deploymentFrequency).toEqual({
      perDay: 3 / 4,
      deployments: 3,
      days: 4,
      medianDeployDaysPerWeek: 3,
    })
    expect(m.period.since).toBe(iso(3 * H))
  })

  it('takes the median of first production deployment minus commit over carried changes', () => {
    // c1 3h, c2 2h, c3 5h, fix 24h → median (3h + 5h) / 2
    expect(m.changeLeadTime).toEqual({ medianMs: 4 * H, changes: 4 })
  })

  it('rates deployments linked to an incident, the incident linking to the last deployment before it', () => {
    expect(m.changeFailureRate).toEqual({ rate: 1 / 3, failedDeployments: 1, deployments: 3 })
  })

  it('takes the median recovery time of resolved incidents linked to a deployment', () => {
    expect(m.failedDeploymentRecoveryTime).toEqual({ medianMs: 30 * 60_000, incidents: 1 })
  })

  it('counts a deployment carrying the fix for an earlier failed deployment as rework', () => {
    expect(m.deploymentReworkRate).toEqual({ rate: 1 / 3, reworkDeployments: 1, deployments: 3 })
  })

  it('keeps only deployments and incidents inside --since', () => {
    const later = doraMetrics(week, { now, since: T0 + 2 * D })
    expect(later.deploymentFrequency.deployments).toBe(1)
    expect(later.deploymentFrequency.days).toBe(2)
    expect(later.changeFailureRate.rate).toBe(0)
    expect(later.failedDeploymentRecoveryTime.medianMs).toBeNull()
    expect(later.deploymentReworkRate.rate).toBe(1)
  })
})

describe('dora metrics edge cases', () => {
  it('are null where undefined when there are no deployments', () => {
    const m = doraMetrics({ changes: [change('c1', 0)], deployments: [], incidents: [] }, { now })
    expect(m.deploymentFrequency.perDay).toBeNull()
    expect(m.changeLeadTime.medianMs).toBeNull()
    expect(m.changeFailureRate.rate).toBeNull()
    expect(m.failedDeploymentRecoveryTime.medianMs).toBeNull()
    expect(m.deploymentReworkRate.rate).toBeNull()
  })

  it('report zero deployments a day, not null, when --since gives the period', () => {
    const m = doraMetrics({ changes: [], deployments: [], incidents: [] }, { now, since: T0 })
    expect(m.deploymentFrequency.perDay).toBe(0)
  })

  it('leave an incident with no deployment before it out of the failure rate and recovery time', () => {
    const events: DoraEvents = {
      changes: [change('c1', 0)],
      deployments: [deploy('d1', 2 * H, ['c1'])],
      incidents: [incident('early', H, 10 * 60_000)],
    }
    const m = doraMetrics(events, { now, since: T0 })
    expect(m.changeFailureRate.rate).toBe(0)
    expect(m.failedDeploymentRecoveryTime).toEqual({ medianMs: null, incidents: 0 })
  })

  it('ignore a deployment_id that names no production deployment', () => {
    const events: DoraEvents = {
      changes: [],
      deployments: [deploy('d1', 0, []), deploy('s1', H, [], 'staging')],
      incidents: [incident('i1', 2 * H, 60_000, 's1')],
    }
    expect(doraMetrics(events, { now }).changeFailureRate.failedDeployments).toBe(0)
  })

  it('count a deployment with several incidents once', () => {
    const events: DoraEvents = {
      changes: [],
      deployments: [deploy('d1', 0, []), deploy('d2', D, [])],
      incidents: [
        incident('i1', H, 60_000),
        incident('i2', 2 * H, 180_000),
        incident('i3', 3 * H, null, 'd1'),
      ],
    }
    const m = doraMetrics(events, { now })
    expect(m.changeFailureRate).toEqual({ rate: 0.5, failedDeployments: 1, deployments: 2 })
    expect(m.failedDeploymentRecoveryTime).toEqual({ medianMs: 120_000, incidents: 2 })
  })

  it('leave an incident past the window unlinked, and link it when the window is wider', () => {
    const events: DoraEvents = {
      changes: [],
      deployments: [deploy('d1', 0, [])],
      incidents: [incident('late', D + H, 60_000)],
    }
    expect(doraMetrics(events, { now }).changeFailureRate.rate).toBe(0)
    expect(doraMetrics(events, { now, incidentWindowMs: 2 * D }).changeFailureRate.rate).toBe(1)
  })

  it('do not count a fix as rework when its incident links to no deployment', () => {
    const events: DoraEvents = {
      changes: [change('fix', 0, ['orphan'])],
      deployments: [deploy('d1', H, ['fix'])],
      incidents: [incident('orphan', 0, 60_000)],
    }
    expect(doraMetrics(events, { now }).deploymentReworkRate.rate).toBe(0)
  })
})

const minute = 60_000
const arbEvents = fc
  .record({
    changeTimes: fc.array(fc.integer({ min: 0, max: 10 * D }), { maxLength: 12 }),
    deploys: fc.array(
      fc.record({
        at: fc.integer({ min: 0, max: 10 * D }),
        picks: fc.array(fc.nat(), { maxLength: 4 }),
        production: fc.boolean(),
      }),
      { maxLength: 10 },
    ),
    incidents: fc.array(
      fc.record({
        at: fc.integer({ min: 0, max: 10 * D }),
        fix: fc.option(fc.integer({ min: 1, max: 600 })),
      }),
      { maxLength: 6 },
    ),
  })
  .map(({ changeTimes, deploys, incidents }): DoraEvents => {
    const changes = changeTimes.map((t, i) => change(`c${i}`, t))
    return {
      changes,
      deployments: deploys.map((d, i) => {
        const carried = changes.length === 0 ? [] : d.picks.map((p) => changes[p % changes.length]!)
        return deploy(
          `d${i}`,
          Math.max(d.at, ...carried.map((c) => Date.parse(c.time_created) - T0)),
          [...new Set(carried.map((c) => c.change_id))],
          d.production ? 'production' : 'staging',
        )
      }),
      incidents: incidents.map((x, i) => incident(`i${i}`, x.at, x.fix === null ? null : x.fix * minute)),
    }
  })
const end = T0 + 11 * D

describe('dora metric calculators (properties)', () => {
  it('keep every rate within 0..1', () => {
    fc.assert(
      fc.property(arbEvents, (events) => {
        const m = doraMetrics(events, { now: end })
        for (const rate of [m.changeFailureRate.rate, m.deploymentReworkRate.rate]) {
          if (rate !== null) expect(rate >= 0 && rate <= 1).toBe(true)
        }
      }),
    )
  })

  it('keep the median within the min and max of its values', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, min: -1e9, max: 1e9 }), { minLength: 1 }), (values) => {
        const m = median(values)!
        expect(m).toBeGreaterThanOrEqual(Math.min(...values))
        expect(m).toBeLessThanOrEqual(Math.max(...values))
      }),
    )
  })

  it('keep the lead time within the shortest and longest change lead time', () => {
    fc.assert(
      fc.property(arbEvents, (events) => {
        const m = doraMetrics(events, { now: end })
        const production = events.deployments.filter((d) => d.environment === 'production')
        const leads = events.changes.flatMap((c) => {
          const first = production
            .filter((d) => d.changes.includes(c.change_id))
            .map((d) => Date.parse(d.time_created))
          return first.length === 0 ? [] : [Math.min(...first) - Date.parse(c.time_created)]
        })
        if (leads.length === 0) expect(m.changeLeadTime.medianMs).toBeNull()
        else {
          expect(m.changeLeadTime.medianMs!).toBeGreaterThanOrEqual(Math.min(...leads))
          expect(m.changeLeadTime.medianMs!).toBeLessThanOrEqual(Math.max(...leads))
        }
      }),
    )
  })

  it('never push the lead time past its old maximum by adding a deployment of already-deployed changes', () => {
    fc.assert(
      fc.property(arbEvents, fc.integer({ min: 0, max: D }), (events, delay) => {
        const before = doraMetrics(events, { now: end })
        const deployed = events.deployments.filter((d) => d.environment === 'production')
        const last = Math.max(0, ...deployed.map((d) => Date.parse(d.time_created) - T0))
        const again = deploy('extra', last + delay, [...new Set(deployed.flatMap((d) => d.changes))])
        const after = doraMetrics({ ...events, deployments: [...events.deployments, again] }, { now: end })
        if (before.changeLeadTime.medianMs !== null)
          expect(after.changeLeadTime.medianMs).toBe(before.changeLeadTime.medianMs)
      }),
    )
  })

  it('count no more failed deployments than deployments, and no more linked incidents than incidents', () => {
    fc.assert(
      fc.property(arbEvents, (events) => {
        const m = doraMetrics(events, { now: end })
        expect(m.changeFailureRate.failedDeployments).toBeLessThanOrEqual(m.changeFailureRate.deployments)
        expect(m.failedDeploymentRecoveryTime.incidents).toBeLessThanOrEqual(events.incidents.length)
        expect(m.deploymentFrequency.deployments).toBe(
          events.deployments.filter((d) => d.environment === 'production').length,
        )
      }),
    )
  })
})
