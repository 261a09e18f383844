import { describe, expect, it } from 'vitest'
import { buildPostmortem } from '../postmortems/build-postmortem.ts'
import { renderPostmortemMarkdown } from '../postmortems/render-postmortem-markdown.ts'
import { JournalBuilder } from '../record/journal/journal-builder.ts'
import { loadScenario } from '../record/scenario/load-scenario.ts'
import { loadRoster } from '../record/scenario/team-roster.ts'

describe("the postmortem's impact", () => {
  it("names the path behind the scenario's own flag, not the pricing path", async () => {
    const loaded = await loadScenario('retry-storm')
    const flag = loaded.scenario.change.flag!
    expect(flag).toBe('payments.instant-retry')
    const runId = '20260101T120000-retry-storm-aaaaaa'
    // The flag released to everyone at 4 s, an alert at 20 s, recovered at 25 s.
    const j = new JournalBuilder(Date.UTC(2026, 0, 1, 12))
    j.started(runId, { seed: 7, flag })
    j.at(1_000).add('change.committed', { branch: 'change/b', commit: 'c'.repeat(40), title: 't' })
    j.at(2_000).add('change.merged', { branch: 'change/b', commit: 'c'.repeat(40), trunk: 't'.repeat(40) })
    j.at(4_000).add('release.step', { step: 1, percent: 100, holdSeconds: 30 })
    j.at(20_000).add('alert.fired', {
      alert: 'fast-burn',
      severity: 'page',
      burnRates: { long: 15, short: 20 },
      threshold: 14.4,
      windows: { long: '1h', short: '5m' },
    })
    j.at(25_000).add('recovery.confirmed', { errorRatio: 0, consecutiveEvaluations: 4 })
    j.at(40_000).add('drill.finished', { outcome: 'recovered', durationMs: 40_000 })
    const events = j.build()
    const postmortem = buildPostmortem(events, loaded.scenario, await loadRoster(loaded), {
      now: Date.UTC(2026, 0, 2, 9),
    })
    const markdown = renderPostmortemMarkdown(postmortem)
    expect(markdown).toContain(`of checkout traffic took the path behind ${flag}`)
    expect(markdown).not.toContain('new pricing path')
  })
})
