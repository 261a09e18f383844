import { describe, expect, it } from 'vitest'
import { sampleDrillJournal } from '../journal/sample-drill-journal.ts'
import { loadScenario } from '../scenario/load-scenario.ts'
import { drillFigures } from './drill-figures.ts'

describe('drill summary figures', () => {
  it('carry the timings and impact fields the --json summary promises', async () => {
    const { scenario } = await loadScenario('bad-pricing')
    const figures = drillFigures(sampleDrillJournal(), scenario)
    expect(Object.keys(figures.timings)).toEqual(
      expect.arrayContaining([
        'releasedAt',
        'firstErrorAt',
        'detectedAt',
        'acknowledgedAt',
        'mitigatedAt',
        'recoveredAt',
        'mttdMs',
        'mttaMs',
        'mttmMs',
        'mttrMs',
      ]),
    )
    expect(figures.impact).toEqual({
      requests: 1_520,
      failedRequests: 146,
      errorRatio: 146 / 1_520,
      errorBudgetConsumedPct: expect.closeTo(3.38, 2),
    })
    expect(JSON.parse(JSON.stringify(figures))).toEqual(figures)
  })
})
