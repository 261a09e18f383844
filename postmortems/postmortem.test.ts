import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Value } from '@sinclair/typebox/value'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JournalBuilder } from '../record/journal/journal-builder.ts'
import type { JournalEvent } from '../record/journal/journal-event.ts'
import { sampleDrillJournal } from '../record/journal/sample-drill-journal.ts'
import { type LoadedScenario, loadScenario } from '../record/scenario/load-scenario.ts'
import { generateRoster, loadRoster, type Roster } from '../record/scenario/team-roster.ts'
import { buildPostmortem } from './build-postmortem.ts'
import { dueDateFor } from './due-date-policy.ts'
import { PostmortemErrorCode } from './errors.ts'
import { lintPostmortem } from './lint/lint-postmortem.ts'
import { PostmortemSchema } from './postmortem-schema.ts'
import { renderPostmortemMarkdown } from './render-postmortem-markdown.ts'
import { writePostmortem } from './write-postmortem.ts'

const NOW = Date.UTC(2026, 0, 2, 9)
/** When the sample drill finished (12:00:40Z): the action items are raised then. */
const FINISHED = Date.UTC(2026, 0, 1, 12, 0, 40)
const SECTIONS = [
  '# Postmortem: ',
  '**Status:**',
  '## Summary',
  '## Impact',
  '## Root causes',
  '## Trigger',
  '## Resolution',
  '## Detection',
  '## Action items',
  '## Lessons learned',
  '### What went well',
  '### What went wrong',
  '### Where we got lucky',
  '## Timeline (UTC)',
  '## Timing breakdown',
]

let loaded: LoadedScenario
let roster: Roster
const work = mkdtempSync(join(tmpdir(), 'firedrill-postmortem-'))
beforeAll(async () => {
  loaded = await loadScenario('bad-pricing')
  roster = await loadRoster(loaded)
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('postmortem from a hand-made journal', () => {
  it('fits its schema and renders every section of the template', () => {
    const pm = buildPostmortem(sampleDrillJournal(), loaded.scenario, roster, { now: NOW })
    expect(Value.Check(PostmortemSchema, pm)).toBe(true)
    const markdown = renderPostmortemMarkdown(pm)
    let from = 0
    for (const heading of SECTIONS) {
      const at = markdown.indexOf(heading, from)
      expect(at, heading).toBeGreaterThanOrEqual(from)
      from = at
    }
    expect(pm.status).toBe('recovered')
  })

  it('gives every action item an owner from the roster and a due date from the priority policy, counted from the end of the drill', () => {
    const pm = buildPostmortem(sampleDrillJournal(), loaded.scenario, roster, { now: NOW })
    const handles = roster.members.map((m) => m.handle)
    expect(pm.actionItems.length).toBeGreaterThanOrEqual(1)
    pm.actionItems.forEach((item, i) => {
      expect(item.id).toBe(`AI-${i + 1}`)
      expect(handles).toContain(item.owner)
      expect(item.dueDate).toBe(dueDateFor(item.priority, FINISHED))
      expect(item.tracking).toBe(`Refs: ${item.id}`)
    })
    const prevent = pm.actionItems.find((a) => a.type === 'prevent')!
    expect([prevent.priority, prevent.dueDate, prevent.owner]).toEqual(['P0', '2026-01-08', 'nikita.crist'])
  })

  it('ties each timing figure to the two journal events it comes from', () => {
    const pm = buildPostmortem(sampleDrillJournal(), loaded.scenario, roster, { now: NOW })
    const detect = pm.timingBreakdown[0]!
    expect(detect.ms).toBe(21_500)
    expect([detect.from?.type, detect.to?.type]).toEqual(['release.step', 'alert.fired'])
    expect(pm.timings).toMatchObject({ mttdMs: 21_500, mttaMs: 3_000, mttmMs: 3_500, mttrMs: 28_000 })
  })

  it('states detection against its theoretical minimum from the alert in the journal', () => {
    const pm = buildPostmortem(sampleDrillJournal(), loaded.scenario, roster, { now: NOW })
    // 1h at 1/240 → 15 s, but the window holds only the 5 s of clean traffic before the release:
    // 30 % · t / (5 s + t) reaches 14.4 % at t = 14.4 % × 5 s / 15.6 % ≈ 4.6 s; 21.5 s / 4.6 s ≈ 4.7×.
    expect(pm.lessons.wentWrong.join('\n')).toContain('4.7× the theoretical minimum of 4.6 s')
  })

  it('keeps high-volume events out of the timeline and lists the rest in time order', () => {
    const pm = buildPostmortem(sampleDrillJournal(), loaded.scenario, roster, { now: NOW })
    expect(pm.timeline.some((e) => e.type === 'traffic.interval' || e.type === 'sli.evaluated')).toBe(false)
    const times = pm.timeline.map((e) => Date.parse(e.at))
    expect(times).toEqual([...times].sort((a, b) => a - b))
    expect(pm.timeline.map((e) => e.type)).toContain('mitigation.applied')
  })

  it('speaks of systems and decisions, never of people at fault', () => {
    const pm = buildPostmortem(sampleDrillJournal(), loaded.scenario, roster, { now: NOW })
    const text = renderPostmortemMarkdown(pm).toLowerCase()
    for (const word of [
      'blame',
      'fault of',
      'careless',
      'negligen',
      'should have',
      'human error',
      'mistake by',
    ]) {
      expect(text).not.toContain(word)
    }
  })
})

describe('postmortem from a crashed run', () => {
  it('builds from a journal without drill.finished and marks what is missing', () => {
    const pm = buildPostmortem(sampleDrillJournal({ crashAtMs: 22_000 }), loaded.scenario, roster, {
      now: NOW,
      truncatedLastLine: true,
    })
    expect(Value.Check(PostmortemSchema, pm)).toBe(true)
    expect(pm.status).toBe('incomplete')
    expect(pm.journal).toMatchObject({ finished: false, truncatedLastLine: true })
    expect(pm.timings.recoveredAt).toBeNull()
    expect(pm.timingBreakdown.find((r) => r.metric.startsWith('Time to recover'))?.to).toBeNull()
    expect(pm.actionItems.map((a) => a.type)).toEqual(expect.arrayContaining(['detect', 'mitigate']))
    expect(renderPostmortemMarkdown(pm)).toContain('| n/a | `release.step`')
  })

  it('owns items with a seeded generated roster when the scenario has none', () => {
    const generated = generateRoster(42)
    expect(generateRoster(42)).toEqual(generated)
    const pm = buildPostmortem(sampleDrillJournal({ withoutAlert: true }), loaded.scenario, generated, {
      now: NOW,
    })
    expect(pm.actionItems.every((a) => generated.members.some((m) => m.handle === a.owner))).toBe(true)
  })
})

describe('postmortem files', () => {
  it('writes postmortem.md and postmortem.json, leaving no temporary files', async () => {
    const dir = join(work, 'run-1')
    const pm = buildPostmortem(sampleDrillJournal(), loaded.scenario, roster, { now: NOW })
    const written = await writePostmortem(dir, pm)
    expect(readdirSync(dir).sort()).toEqual(['postmortem.json', 'postmortem.md'])
    expect(JSON.parse(readFileSync(written.json, 'utf8'))).toEqual(pm)
    expect(readFileSync(written.markdown, 'utf8')).toBe(renderPostmortemMarkdown(pm))
    await writePostmortem(dir, { ...pm, summary: 'Rewritten.' })
    expect(JSON.parse(readFileSync(written.json, 'utf8')).summary).toBe('Rewritten.')
  })

  it('refuses a model that does not fit the schema', async () => {
    const pm = buildPostmortem(sampleDrillJournal(), loaded.scenario, roster, { now: NOW })
    await expect(writePostmortem(join(work, 'run-2'), { ...pm, actionItems: [] })).rejects.toMatchObject({
      code: PostmortemErrorCode.POSTMORTEM_INVALID,
    })
  })
})

/** A `--again` run whose gate refused the change: the release then ran on the fixed trunk, and nothing failed. */
function preventedJournal(): JournalEvent[] {
  const j = new JournalBuilder()
  const flag = 'checkout.new-pricing'
  j.at(0).started('run-again', {
    scenario: 'bad-pricing',
    seed: 42,
    timeScale: 1 / 240,
    flag,
    againOf: { runId: 'run-before', dir: '/runs/run-before' },
  })
  j.add('phase.entered', { phase: 'preflight' })
  j.at(100).add('phase.entered', { phase: 'deploy' })
  j.add('change.committed', { branch: `change/${flag}`, commit: 'c'.repeat(40), title: 'New pricing engine' })
  j.at(200).add('gate.finished', {
    commit: 'c'.repeat(40),
    tree: 'e'.repeat(40),
    green: false,
    durationMs: 4_000,
    steps: [{ name: 'unit-tests', status: 'failed', durationMs: 3_000 }],
  })
  j.add('change.refused', { branch: `change/${flag}`, commit: 'c'.repeat(40), blockedBy: ['unit-tests'] })
  j.at(1_000).add('phase.entered', { phase: 'release' })
  j.add('release.step', { flag, step: 1, percent: 100, holdSeconds: 5 })
  for (let s = 1; s <= 5; s++)
    j.at(1_000 + s * 1_000).add('traffic.interval', {
      index: s - 1,
      from: j.iso(s * 1_000),
      to: j.iso((s + 1) * 1_000),
      requests: 40,
      failures: 0,
      dropped: 0,
      byStatus: { '201': 40 },
      latencyP50Ms: 4,
      latencyP99Ms: 12,
    })
  j.at(6_000).add('phase.entered', { phase: 'steady-state-after' })
  j.add('steady-state.checked', {
    when: 'after',
    ok: true,
    requests: 200,
    failures: 0,
    errorRatio: 0,
    maxErrorRatio: 0.005,
    minRequests: 100,
  })
  j.at(7_000).add('drill.finished', { outcome: 'prevented', durationMs: 7_000 })
  return j.build()
}

describe('postmortems tell the truth for every outcome', () => {
  it('a run prevented at the gate is a near miss: no incident claimed, one item moving the check earlier', () => {
    const pm = buildPostmortem(preventedJournal(), loaded.scenario, roster, { now: NOW })
    expect(pm.status).toBe('prevented')
    expect(pm.summary).toContain('The gate refused it (unit-tests), so it never merged')
    expect(pm.summary).toContain('A repeat of run run-before')
    expect(pm.impact.statement).toMatch(/^None from the change: the gate refused it \(unit-tests\)/)
    expect(pm.detection).toMatch(/^Caught at the gate, before any release/)
    expect(pm.resolution).toMatch(/^Nothing to mitigate/)
    const text = JSON.stringify({ ...pm, timeline: [], change: null })
    for (const untrue of [
      'No paging alert',
      'No mitigation was recorded',
      'fail with HTTP 500. 0 of',
      'The defect passed the gate',
    ])
      expect(text, untrue).not.toContain(untrue)
    expect(pm.actionItems.map((i) => [i.type, i.priority])).toEqual([['prevent', 'P2']])
    expect(pm.actionItems[0]?.title).toContain('Run unit-tests before a push')
    expect(lintPostmortem(pm)).toEqual({ ok: true, problems: [] })
  })

  it('a drill stopped before any release claims no missed page and no missed mitigation', () => {
    const events = sampleDrillJournal({ crashAtMs: 5_000 })
    const last = events.at(-1)!
    const aborted = [
      ...events,
      {
        seq: last.seq + 1,
        at: last.at,
        type: 'drill.aborted',
        data: { reason: 'interrupted (Ctrl-C or SIGTERM)', condition: 'signal' },
      } as JournalEvent,
    ]
    const pm = buildPostmortem(aborted, loaded.scenario, roster, { now: NOW })
    expect(pm.status).toBe('aborted')
    expect(pm.summary).toContain('the drill ended before any step turned the flag on: no user met the change')
    expect(pm.detection).toMatch(/^Nothing to detect/)
    expect(pm.resolution).toMatch(/^Nothing to mitigate: the change never reached users/)
    const types = pm.actionItems.map((i) => i.type)
    expect(types).not.toContain('detect')
    expect(types).not.toContain('mitigate')
    expect(pm.actionItems.some((i) => i.title.startsWith('Review the stop condition'))).toBe(true)
    expect(lintPostmortem(pm).problems).toEqual([])
  })

  it('a drill whose change reached users and was never paged still says so, with its P0 items', () => {
    const pm = buildPostmortem(sampleDrillJournal({ withoutAlert: true }), loaded.scenario, roster, {
      now: NOW,
    })
    expect(pm.detection).toMatch(/^No paging burn-rate alert is recorded/)
    expect(pm.actionItems.filter((i) => i.type === 'detect' && i.priority === 'P0')).toHaveLength(1)
  })
})
