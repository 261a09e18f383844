import { describe, expect, it } from 'vitest'
import { doraMetrics } from '../../record/dora/dora-metrics.ts'
import { parseEvents } from '../../record/dora/read-events-file.ts'
import { CFR_GOVERNOR_DEFAULTS, judgeChangeFailure } from '../steps/cfr-governor-step.ts'
import { shopDeliveryHistory } from './delivery-history.ts'

const NOW = Date.parse('2026-12-03T11:30:00.000Z')
const judge = (events: ReturnType<typeof shopDeliveryHistory>) =>
  judgeChangeFailure(
    (since, until) => doraMetrics(events, { since, until, now: NOW }),
    CFR_GOVERNOR_DEFAULTS,
    NOW,
  )

describe("the shop's delivery history", () => {
  it('reads as a fourkeys export, and the governor compares both figures and passes it', () => {
    const history = parseEvents(JSON.parse(JSON.stringify(shopDeliveryHistory(NOW))), 'dora/events.json')
    expect(history.deployments).toHaveLength(240)
    expect(history.incidents).toHaveLength(Math.floor(240 / 25))
    expect(history.deployments.every((d) => Date.parse(d.time_created) < NOW)).toBe(true)
    const verdict = judge(history)
    expect(verdict.regressions).toEqual([])
    expect(verdict.comparisons).toHaveLength(2)
    expect(verdict.comparisons.every((c) => !c.includes('not compared'))).toBe(true)
    // Two a day for 30 days, less the one at 10:00 thirty days ago, before the period opened at 11:30.
    expect(verdict.trailing.deployments).toBe(59)
    expect(verdict.trailing.failureRate).toBeCloseTo(verdict.baseline.failureRate!, 2)
  })

  it('is the same file for the same day, and turns red when a month of failed deployments is added', () => {
    expect(shopDeliveryHistory(NOW)).toEqual(shopDeliveryHistory(NOW + 60_000))
    const history = shopDeliveryHistory(NOW)
    // Ten more deployments in the last week, each with its incident: the trailing rate jumps past baseline + 5.
    for (let i = 0; i < 10; i++) {
      const at = new Date(NOW - (i + 1) * 12 * 3_600_000).toISOString()
      history.deployments.push({
        deploy_id: `bad-${i}`,
        environment: 'production',
        time_created: at,
        changes: [],
        result: 'failure',
      })
      history.incidents.push({
        incident_id: `BAD-${i}`,
        time_created: at,
        time_resolved: new Date(Date.parse(at) + 3_600_000).toISOString(),
        root_cause: null,
        deployment_id: `bad-${i}`,
      })
    }
    expect(judge(history).regressions.map((r) => r.split(':')[0])).toEqual(['change failure rate'])
  })
})
