import { describe, expect, it } from 'vitest'
import { JournalBuilder } from '../record/journal/journal-builder.ts'
import { sampleDrillJournal } from '../record/journal/sample-drill-journal.ts'
import { scenarioWith } from '../simulator/detection/testing/scenario-with.ts'
import { burnedSlos, describeBurnedSlos } from './burned-slos.ts'

const fired = (alert: string, slo?: string) => ({
  alert,
  severity: 'page',
  burnRates: { long: 20, short: 30 },
  threshold: 14.4,
  windows: { long: '1h', short: '5m' },
  ...(slo === undefined ? {} : { slo }),
})

describe('which SLOs burned', () => {
  it('names every SLO detection watched and the rules that fired on each', () => {
    const events = new JournalBuilder()
      .add('detection.started', {
        slos: [
          {
            name: 'orders-availability',
            sli: 'availability',
            description: 'POST /orders answered without a 5xx',
            objective: 0.99,
          },
          {
            name: 'orders-paid',
            sli: 'fulfilment',
            description: 'orders paid within 2 s of entering the fulfilment queue',
            objective: 0.995,
          },
        ],
        rules: [],
        targets: [],
        scrapeIntervalMs: 250,
        evaluationIntervalMs: 250,
        evaluateOnScrape: true,
        keepFiringForMs: 0,
        grouping: { groupBy: [], groupWaitMs: 0, groupIntervalMs: 0, repeatIntervalMs: 0 },
        pageSeverities: ['page'],
      })
      .add('alert.fired', fired('fast-burn', 'orders-paid'))
      .add('alert.fired', fired('slow-burn', 'orders-paid'))
      .add('alert.fired', fired('fast-burn', 'orders-paid'))
      .build()
    const burns = burnedSlos(events, scenarioWith())
    expect(burns.map((b) => [b.slo, b.fired])).toEqual([
      ['orders-availability', []],
      ['orders-paid', ['fast-burn', 'slow-burn']],
    ])
    expect(describeBurnedSlos(burns)).toBe(
      'SLO orders-availability (POST /orders answered without a 5xx, 99 %) did not burn. ' +
        'SLO orders-paid (orders paid within 2 s of entering the fulfilment queue, 99.5 %) burned: fast-burn, slow-burn fired.',
    )
  })

  it('reads a journal from before SLOs were recorded: its alerts burned the scenario’s first SLO', () => {
    expect(burnedSlos(sampleDrillJournal(), scenarioWith())).toEqual([
      { slo: 'orders-availability', description: null, objective: 0.99, fired: ['fast-burn'] },
    ])
  })
})
