import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { RecordErrorCode } from '../../record/errors.ts'
import type { JournalEvent } from '../../record/journal/journal-event.ts'
import { sampleDrillJournal } from '../../record/journal/sample-drill-journal.ts'
import { SCENARIO_CATALOG_DIR } from '../../record/scenario/scenario-catalog.ts'
import { describeSummary } from '../../scripts/describe-summary.ts'
import { FOLLOW_UP_TURNED_OFF } from './follow-up-phase.ts'
import { reportRun } from './report-run.ts'

const NOW = Date.UTC(2026, 0, 2, 9)
const work = await mkdtemp(join(tmpdir(), 'firedrill-report-'))
afterAll(() => rm(work, { recursive: true, force: true }))

let runs = 0
/** A run directory as the drill leaves it: the journal, and the scenario copied into `scenario/`. */
async function runDir(events: readonly JournalEvent[], tail = ''): Promise<string> {
  const dir = join(work, `run-${++runs}`)
  await mkdir(dir, { recursive: true })
  await cp(join(SCENARIO_CATALOG_DIR, 'bad-pricing'), join(dir, 'scenario'), { recursive: true })
  await writeFile(join(dir, 'journal.jsonl'), events.map((e) => `${JSON.stringify(e)}\n`).join('') + tail)
  return dir
}

/** `events` plus one more event, numbered and stamped as the drill's writer would. */
function withLast(events: JournalEvent[], event: Pick<JournalEvent, 'type' | 'data'>): JournalEvent[] {
  const last = events.at(-1)!
  return [...events, { ...event, seq: last.seq + 1, at: last.at } as JournalEvent]
}

describe('run report', () => {
  it('summarises a recovered drill with its timings and impact and writes every file', async () => {
    const dir = await runDir(sampleDrillJournal())
    const { summary, postmortem, truncatedLastLine } = await reportRun(dir, { now: NOW })
    expect(summary).toMatchObject({
      runId: 'run-sample',
      scenario: 'bad-pricing',
      seed: 42,
      status: 'recovered',
      timings: {
        releasedAt: '2026-01-01T12:00:06.000Z',
        mttdMs: 21_500,
        mttaMs: 3_000,
        mttmMs: 3_500,
        mttrMs: 28_000,
        mttrFromFirstErrorMs: 26_800,
      },
      impact: { requests: 1_520, failedRequests: 146, errorRatio: 146 / 1_520 },
      postmortem: {
        markdown: join(dir, 'postmortem.md'),
        json: join(dir, 'postmortem.json'),
        actionItems: postmortem.actionItems.length,
      },
      journal: join(dir, 'journal.jsonl'),
    })
    expect(summary).not.toHaveProperty('abortReason')
    expect(summary.postmortem.actionItems).toBeGreaterThan(0)
    expect(truncatedLastLine).toBe(false)
    expect(JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'))).toEqual(summary)
    expect(JSON.parse(await readFile(summary.postmortem.json, 'utf8')).runId).toBe('run-sample')
    expect(await readFile(summary.postmortem.markdown, 'utf8')).toContain('Action items')
    expect((await readdir(dir)).sort()).toEqual([
      'journal.jsonl',
      'postmortem.json',
      'postmortem.md',
      'scenario',
      'summary.json',
    ])
  })

  it('reports an aborted drill as aborted with its reason, even after a recovery', async () => {
    const events = withLast(sampleDrillJournal({ crashAtMs: 40_000 }), {
      type: 'drill.aborted',
      data: { reason: 'error budget 50% spent', condition: 'error-budget' },
    })
    const { summary } = await reportRun(await runDir(events), { now: NOW })
    expect(summary.status).toBe('aborted')
    expect(summary.abortReason).toBe('error budget 50% spent')
  })

  it('reports a crashed run with a cut-off last line as not recovered, with the figures it has', async () => {
    const events = sampleDrillJournal({ crashAtMs: 29_000 })
    const dir = await runDir(events, `{"seq":${events.length + 1},"type":"page.ackn`)
    const { summary, postmortem, truncatedLastLine } = await reportRun(dir, { now: NOW })
    expect(truncatedLastLine).toBe(true)
    expect(postmortem.journal.truncatedLastLine).toBe(true)
    expect(summary.status).toBe('not-recovered')
    expect(summary.timings).toMatchObject({
      mttdMs: 21_500,
      acknowledgedAt: null,
      mitigatedAt: null,
      mttrMs: null,
    })
    expect(summary.impact.requests).toBeGreaterThan(0)
  })

  it('reports a drill that finished without recovering as not recovered', async () => {
    const events = sampleDrillJournal({ crashAtMs: 31_000 })
    const { summary } = await reportRun(
      await runDir(
        withLast(events, { type: 'drill.finished', data: { outcome: 'not-recovered', durationMs: 31_000 } }),
      ),
      { now: NOW },
    )
    expect(summary.status).toBe('not-recovered')
  })

  it('gives the same summary and postmortem when the same run is reported again', async () => {
    const dir = await runDir(sampleDrillJournal())
    const first = await reportRun(dir, { now: NOW })
    const firstJson = await readFile(join(dir, 'postmortem.json'), 'utf8')
    const again = await reportRun(dir, { now: NOW })
    expect(again.summary).toEqual(first.summary)
    expect(await readFile(join(dir, 'postmortem.json'), 'utf8')).toBe(firstJson)
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  it('refuses a directory without a journal as bad input', async () => {
    await expect(reportRun(join(work, 'no-such-run'))).rejects.toMatchObject({
      code: RecordErrorCode.JOURNAL_NOT_FOUND,
      exitCode: 2,
    })
  })
})

describe("a run's checks (run --ci, --junit)", () => {
  const cases = (suites: Awaited<ReturnType<typeof reportRun>>['checks']) =>
    suites.flatMap((s) =>
      s.cases.map((c) => ({ suite: s.name, name: c.name, status: c.status, message: c.message })),
    )
  const failing = (suites: Awaited<ReturnType<typeof reportRun>>['checks']) =>
    cases(suites).filter((c) => c.status === 'failed')

  it('passes a recovered run whose loop closed, except the close-out it never did', async () => {
    const dir = await runDir(sampleDrillJournal({ withChangePath: true, withRepair: true }))
    const { checks } = await reportRun(dir, { now: NOW })
    // The phases that journalled checks, then the incident and the loop.
    expect(checks.map((s) => s.name)).toEqual([expect.stringMatching(/^phase /), 'incident', 'loop'])
    expect(
      cases(checks).find((c) => c.name === 'the damage is detected by an SLO burn-rate alert'),
    ).toMatchObject({
      status: 'passed',
    })
    expect(cases(checks).filter((c) => c.suite === 'loop')).toEqual([
      { suite: 'loop', name: 'the fix merges through the gate', status: 'passed', message: undefined },
      { suite: 'loop', name: 'action item AI-1 holds', status: 'passed', message: undefined },
      {
        suite: 'loop',
        name: 'the replayed bad change is blocked by the gate',
        status: 'passed',
        message: undefined,
      },
      {
        suite: 'loop',
        name: 'the release flag checkout.new-pricing is closed out',
        status: 'failed',
        message: 'checkout.new-pricing is still active on trunk',
      },
    ])
    expect(failing(checks)).toHaveLength(1)
  })

  it('fails detection, paging and the loop when no alert fired and nothing followed', async () => {
    const { checks } = await reportRun(await runDir(sampleDrillJournal({ withoutAlert: true })), { now: NOW })
    expect(failing(checks).map((c) => [c.name, c.message])).toEqual([
      [
        'the change reaches production dark, through the gate',
        'the change never merged (see the deploy phase)',
      ],
      ['the damage is detected by an SLO burn-rate alert', 'no alert fired'],
      ['the responder is paged and acknowledges', 'no page was sent'],
      ['the fix merges through the gate', 'no fix merged (the follow-up did not run or the gate refused it)'],
      ['every action item holds', 'verify never ran'],
      ['the replayed bad change is blocked by the gate', 'verify never ran'],
      [
        'the release flag checkout.new-pricing is closed out',
        'checkout.new-pricing is still active on trunk',
      ],
    ])
  })

  it('fails the phase an aborted drill stopped in, with the reason', async () => {
    const events = sampleDrillJournal({ crashAtMs: 20_000 })
    const aborted = withLast(events, {
      type: 'drill.aborted',
      data: { reason: 'interrupted (Ctrl-C or SIGTERM)', condition: 'signal' },
    })
    const { checks } = await reportRun(await runDir(aborted), { now: NOW })
    const release = checks.find((s) => s.name === 'phase release')
    expect(release?.cases).toEqual([
      expect.objectContaining({
        name: 'release ran to its end',
        status: 'failed',
        message: 'aborted (signal): interrupted (Ctrl-C or SIGTERM)',
      }),
    ])
    expect(failing(checks).find((c) => c.name === 'the service recovers')?.message).toMatch(/^status aborted/)
  })

  it('skips the loop of a run whose follow-up was turned off, and says so, instead of failing it', async () => {
    const events = sampleDrillJournal({ withChangePath: true })
    const finished = events.at(-1)!
    const turnedOff = withLast(events.slice(0, -1), {
      type: 'loop.not-run',
      data: { reason: FOLLOW_UP_TURNED_OFF, turnedOff: true },
    })
    const { summary, checks } = await reportRun(
      await runDir([...turnedOff, { ...finished, seq: turnedOff.length + 1 }]),
      { now: NOW },
    )
    expect(summary.loopSkipped).toBe(FOLLOW_UP_TURNED_OFF)
    expect(describeSummary(summary)).toEqual(
      expect.arrayContaining([
        `loop       not run: ${FOLLOW_UP_TURNED_OFF}`,
        'flag       checkout.new-pricing left active on trunk: the follow-up was turned off',
      ]),
    )
    expect(failing(checks)).toEqual([])
    expect(cases(checks).filter((c) => c.suite === 'loop')).toEqual([
      { suite: 'loop', name: 'the loop closes', status: 'skipped', message: FOLLOW_UP_TURNED_OFF },
    ])
    // A loop not run for any other reason still fails: the caller did not ask for it to be left out.
    const notRun = withLast(events.slice(0, -1), { type: 'loop.not-run', data: { reason: 'no fix' } })
    const failed = await reportRun(await runDir([...notRun, { ...finished, seq: notRun.length + 1 }]), {
      now: NOW,
    })
    expect(failing(failed.checks).map((c) => c.name)).toContain('the fix merges through the gate')
  })

  it('expects a --again run to be refused at the gate, and skips the incident it prevented', async () => {
    const base = sampleDrillJournal({ crashAtMs: 1_000 })
    const started = base[0]!
    const events: JournalEvent[] = [
      {
        ...started,
        data: { ...(started.data as object), againOf: { runId: 'run-before', dir: '/gone' } },
      } as JournalEvent,
      ...base.slice(1),
    ]
    const refused = withLast(events, {
      type: 'change.refused',
      data: { branch: 'change/x', commit: 'c'.repeat(40), blockedBy: ['unit-tests', 'flag-debt'] },
    })
    const prevented = withLast(refused, {
      type: 'drill.finished',
      data: { outcome: 'prevented', durationMs: 900 },
    })
    const { summary, checks } = await reportRun(await runDir(prevented), { now: NOW })
    expect(summary.status).toBe('prevented')
    expect(failing(checks)).toEqual([])
    expect(cases(checks).filter((c) => c.suite !== 'phase preflight')).toEqual([
      {
        suite: 'outcome',
        name: 'the bad change is stopped before production',
        status: 'passed',
        message: undefined,
      },
      {
        suite: 'outcome',
        name: 'nothing of the bad change reaches production',
        status: 'passed',
        message: undefined,
      },
      {
        suite: 'loop',
        name: 'the loop closes',
        status: 'skipped',
        message: 'a --again run repeats a loop that closed before',
      },
    ])
  })
})
