import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { JournalBuilder } from '../../record/journal/journal-builder.ts'
import { loadScenario } from '../../record/scenario/load-scenario.ts'
import { SCENARIO_CATALOG_DIR } from '../../record/scenario/scenario-catalog.ts'
import { pausedMsOf, trippedStopCondition } from './drill-safety.ts'

describe("the drill's time limit", () => {
  it('does not count the time a facilitator held the drill paused, resumed or still paused', () => {
    const j = new JournalBuilder().started('run')
    j.at(10_000).add('drill.paused', { by: 'facilitator' })
    j.at(40_000).add('drill.resumed', { by: 'facilitator', pausedMs: 30_000 })
    j.at(50_000).add('drill.paused', { by: 'facilitator', reason: 'questions' })
    expect(pausedMsOf(j.build(), 70_000)).toBe(30_000 + 20_000)
  })

  it('trips on the running time only', async () => {
    const { scenario } = await loadScenario(join(SCENARIO_CATALOG_DIR, 'bad-pricing'))
    const limitMs = scenario.stopConditions.maxDurationSeconds * 1000
    const j = new JournalBuilder().started('run')
    j.at(1000).add('drill.paused', { by: 'facilitator' })
    j.at(1000 + limitMs).add('drill.resumed', { by: 'facilitator', pausedMs: limitMs })
    expect(trippedStopCondition(j.build(), scenario, limitMs + 2000)).toBeNull()
    expect(trippedStopCondition(j.build(), scenario, 2 * limitMs + 2000)?.condition).toBe('max-duration')
  })
})
