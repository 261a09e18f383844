import { Value } from '@sinclair/typebox/value'
import { beforeAll, describe, expect, it } from 'vitest'
import { JournalBuilder } from '../record/journal/journal-builder.ts'
import { SAMPLE_COMMITS, sampleDrillJournal } from '../record/journal/sample-drill-journal.ts'
import { type LoadedScenario, loadScenario } from '../record/scenario/load-scenario.ts'
import { loadRoster, type Roster } from '../record/scenario/team-roster.ts'
import { buildPostmortem } from './build-postmortem.ts'
import { PostmortemSchema } from './postmortem-schema.ts'
import { renderPostmortemMarkdown } from './render-postmortem-markdown.ts'

const NOW = Date.UTC(2026, 0, 2, 9)
const DAY = 86_400_000

let loaded: LoadedScenario
let roster: Roster
beforeAll(async () => {
  loaded = await loadScenario('bad-pricing')
  roster = await loadRoster(loaded)
})

const build = (events = sampleDrillJournal({ withChangePath: true }), now = NOW) =>
  buildPostmortem(events, loaded.scenario, roster, { now })

describe("the change's path through the gate", () => {
  it('follows the commit through its gate record, the merge, the artifact and each environment', () => {
    const pm = build()
    expect(Value.Check(PostmortemSchema, pm)).toBe(true)
    expect(pm.change).toEqual({
      title: 'New pricing engine for checkout',
      branch: 'change/checkout.new-pricing',
      commit: SAMPLE_COMMITS.change,
      trunk: SAMPLE_COMMITS.trunk,
      gate: {
        commit: SAMPLE_COMMITS.change,
        tree: SAMPLE_COMMITS.changeTree,
        green: true,
        steps: [
          { name: 'typecheck', status: 'passed', durationMs: 1_200 },
          { name: 'test', status: 'passed', durationMs: 2_400 },
        ],
      },
      artifact: { commit: SAMPLE_COMMITS.trunk, contentHash: SAMPLE_COMMITS.contentHash },
      environments: ['staging', 'production'],
    })
    const markdown = renderPostmortemMarkdown(pm)
    expect(markdown).toContain("## The change's path")
    expect(markdown).toContain(`| Gate (ledger record) | green | \`${'c'.repeat(12)}\``)
    expect(markdown).toContain('| Deploy | deployed dark | staging, production |')
  })

  it('keeps the commit on its branch, not the merge commit, as the one a replay puts back', () => {
    const pm = build()
    expect(pm.change?.commit).toBe(SAMPLE_COMMITS.change)
    expect(pm.change?.commit).not.toBe(pm.change?.trunk)
  })

  it('is null, and says so, when the journal records no change', () => {
    const pm = build(sampleDrillJournal())
    expect(pm.change).toBeNull()
    expect(renderPostmortemMarkdown(pm)).toContain('The journal records no committed change')
  })

  it('shows what a run that stopped after the gate lacks: no merge, no artifact, no environment', () => {
    const events = new JournalBuilder()
      .add('change.committed', { branch: 'change/x', commit: '1'.repeat(40), title: 'X' })
      .at(100)
      .add('gate.finished', {
        commit: '1'.repeat(40),
        tree: '2'.repeat(40),
        green: false,
        durationMs: 9,
        steps: [],
      })
      .build()
    const pm = build(events)
    expect(Value.Check(PostmortemSchema, pm)).toBe(true)
    expect(pm.change).toMatchObject({ artifact: null, environments: [], gate: { green: false } })
    expect(pm.change).not.toHaveProperty('trunk')
    expect(renderPostmortemMarkdown(pm)).toContain('| Merge to trunk | not recorded | - |')
  })
})

describe('mistake log', () => {
  it('says plainly that repair evidence is not recorded until the loop has run', () => {
    const pm = build()
    expect(pm.mistakeLog.repairEvidence).toEqual({ replay: null, fix: null })
    const markdown = renderPostmortemMarkdown(pm)
    expect(markdown).toContain('not recorded yet (no `replay.gated` in the journal)')
    expect(markdown).toContain('not recorded yet (no `fix.merged` in the journal)')
  })

  it('takes the repair evidence from fix.merged and replay.gated: red on the replay, green on the fix', () => {
    const pm = build(sampleDrillJournal({ withChangePath: true, withRepair: true }))
    expect(Value.Check(PostmortemSchema, pm)).toBe(true)
    expect(pm.mistakeLog.repairEvidence).toEqual({
      replay: { commit: SAMPLE_COMMITS.replay, green: false, blockedBy: ['coupon-regression'] },
      fix: { commit: SAMPLE_COMMITS.fix, green: true },
    })
    expect(renderPostmortemMarkdown(pm)).toContain('gate RED, blocked by coupon-regression')
  })

  it('gives one retrieval card line of the form "Check … before …"', () => {
    const { retrievalCard, mistake, symptom, rootCause } = build().mistakeLog
    expect(retrievalCard).toBe(
      'Check how the new path handles coupon codes the catalog does not know before releasing a pricing change',
    )
    expect(mistake).toContain('rested on a gate that never ran the new path with the flag on')
    expect(symptom).toMatch(/^146 of 1520 requests failed .*, the first on POST \/orders with 500/)
    expect(rootCause).toContain('coupon code the catalog does not know')
  })
})

describe('action item status', () => {
  it('marks the item a merged fix names as done, closed by the fix commit', () => {
    const pm = build(sampleDrillJournal({ withRepair: true }))
    const [first, ...rest] = pm.actionItems
    expect(first).toMatchObject({
      id: 'AI-1',
      status: 'done',
      closedBy: [SAMPLE_COMMITS.fix],
      tracking: 'Refs: AI-1',
    })
    expect(rest.every((a) => a.status === 'open' && a.closedBy.length === 0)).toBe(true)
  })

  it("marks the retire-the-flag item done once the flag's close-out that names it merged through a green gate", () => {
    const retireTitle = `Retire the flag ${loaded.scenario.change.flag} once the fixed change is fully released`
    const before = build(sampleDrillJournal({ withRepair: true }))
    const retire = before.actionItems.find((i) => i.title === retireTitle)
    expect(retire?.status).toBe('open')
    const closeOut = (green: boolean) =>
      new JournalBuilder(Date.UTC(2026, 0, 1, 13))
        .add('cleanup.merged', {
          branch: 'cleanup/checkout.new-pricing',
          commit: 'c'.repeat(40),
          trunk: 'd'.repeat(40),
          flag: loaded.scenario.change.flag!,
          actionItem: retire!.id,
          gate: { green, steps: [] },
        })
        .build()
    const merged = build([...sampleDrillJournal({ withRepair: true }), ...closeOut(true)])
    expect(merged.actionItems.find((i) => i.id === retire!.id)).toMatchObject({
      status: 'done',
      closedBy: ['c'.repeat(40)],
    })
    const red = build([...sampleDrillJournal({ withRepair: true }), ...closeOut(false)])
    expect(red.actionItems.find((i) => i.id === retire!.id)?.status).toBe('open')
  })

  it('leaves an item open when the fix that names it came through a red gate', () => {
    const events = sampleDrillJournal({ withRepair: true }).map((e) =>
      e.type === 'fix.merged' ? { ...e, data: { ...e.data, gate: { ...e.data.gate, green: false } } } : e,
    )
    expect(build(events).actionItems[0]).toMatchObject({ status: 'open', closedBy: [] })
  })

  it('turns open items past their due date overdue, and keeps done items done', () => {
    // Raised when the drill finished (2026-01-01): P0 due 2026-01-08, P2 due 2026-01-31.
    const later = Date.UTC(2026, 0, 9, 0, 0, 1)
    const pm = build(sampleDrillJournal({ withRepair: true }), later)
    const byPriority = (p: string) => pm.actionItems.filter((a) => a.priority === p && a.status !== 'done')
    expect(pm.actionItems[0]).toMatchObject({ priority: 'P0', status: 'done' })
    expect(byPriority('P2').every((a) => a.status === 'open')).toBe(true)
    expect(build(sampleDrillJournal(), later).actionItems[0]).toMatchObject({
      dueDate: '2026-01-08',
      status: 'overdue',
    })
    expect(build(sampleDrillJournal(), later - DAY).actionItems[0]?.status).toBe('open')
  })

  it('keeps the due dates when the postmortem is rebuilt later', () => {
    const first = build(sampleDrillJournal(), NOW).actionItems.map((a) => a.dueDate)
    expect(build(sampleDrillJournal(), NOW + 90 * DAY).actionItems.map((a) => a.dueDate)).toEqual(first)
  })
})
