import { describe, expect, it } from 'vitest'
import { detectionSettingsOf, scenarioSlos } from '../../simulator/detection/scenario-detection.ts'
import { scenarioWith } from '../../simulator/detection/testing/scenario-with.ts'
import { RecordErrorCode } from '../errors.ts'

function problems(edit: Parameters<typeof scenarioWith>[0]): string[] {
  try {
    scenarioWith(edit)
  } catch (err) {
    const e = err as { code: string; problems: { path: string }[] }
    expect(e.code).toBe(RecordErrorCode.SCENARIO_INVALID)
    return e.problems.map((p) => p.path)
  }
  throw new Error('the scenario loaded')
}

describe('scenario SLOs', () => {
  it('default to availability of POST /orders at the scenario objective, so bad-pricing runs as before', () => {
    const scenario = scenarioWith()
    expect(scenario.slo.indicators).toEqual([{ name: 'orders-availability', sli: 'availability' }])
    expect(scenarioSlos(scenario).map((s) => [s.name, s.sli.kind, s.objective])).toEqual([
      ['orders-availability', 'availability', 0.99],
    ])
    const settings = detectionSettingsOf(scenario)
    // Alertmanager's defaults and keep_firing_for 10m, scaled by 1/240.
    expect(settings.keepFiringForMs).toBe(2500)
    expect(settings.grouping).toEqual({
      groupBy: [],
      groupWaitMs: 125,
      groupIntervalMs: 1250,
      repeatIntervalMs: 60_000,
    })
    expect(settings.pageSeverities).toEqual(['page', 'critical'])
    expect(settings.evaluateOnScrape).toBe(true)
  })

  it('name latency and fulfilment SLOs, each with its own objective and bound', () => {
    const scenario = scenarioWith((doc) => {
      doc.slo.indicators = [
        { name: 'orders-availability', sli: 'availability' },
        { name: 'orders-latency', sli: 'latency', threshold: '250ms', objective: 0.95 },
        { name: 'orders-paid', sli: 'fulfilment', deadline: '2s' },
      ]
      doc.detection.rules[0].severity = 'critical'
    })
    const slos = scenarioSlos(scenario)
    expect(slos.map((s) => [s.name, s.objective, s.sli.description])).toEqual([
      ['orders-availability', 0.99, 'POST /orders answered without a 5xx'],
      ['orders-latency', 0.95, 'POST /orders answered within 250 ms'],
      [
        'orders-paid',
        0.99,
        'orders paid or deliberately deferred within 2 s of entering the fulfilment queue',
      ],
    ])
    expect(detectionSettingsOf(scenario).rules[0]!.severity).toBe('critical')
  })

  it('refuse a latency SLO without a threshold, a bound off the histogram, and a bound the SLI has no use for', () => {
    expect(
      problems((doc) => {
        doc.slo.indicators = [
          { name: 'a', sli: 'latency' },
          { name: 'b', sli: 'latency', threshold: '300ms' },
          { name: 'c', sli: 'availability', deadline: '2s' },
          { name: 'd', sli: 'fulfilment', deadline: '3s' },
        ]
      }),
    ).toEqual([
      'slo.indicators[0].threshold',
      'slo.indicators[1].threshold',
      'slo.indicators[2].deadline',
      'slo.indicators[3].deadline',
    ])
  })

  it('refuse two SLOs of one name, an unknown SLI, and a severity that is not a label value', () => {
    expect(
      problems((doc) => {
        doc.slo.indicators = [
          { name: 'x', sli: 'availability' },
          { name: 'x', sli: 'availability' },
        ]
      }),
    ).toEqual(['slo.indicators[1].name'])
    expect(
      problems((doc) => {
        doc.slo.indicators = [{ name: 'x', sli: 'throughput' }]
      }),
    ).toEqual(['slo.indicators[0].sli'])
    expect(
      problems((doc) => {
        doc.detection.rules[0].severity = 'Page!'
      }),
    ).toEqual(['detection.rules[0].severity'])
  })
})
