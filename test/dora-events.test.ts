import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { DoraErrorCode } from '../record/dora/dora-errors.ts'
import { type DoraEvents, eventsFromJournals } from '../record/dora/dora-events.ts'
import { doraMetrics } from '../record/dora/dora-metrics.ts'
import { csvField, toFourkeysCsv, toFourkeysTables } from '../record/dora/fourkeys-tables.ts'
import { readEventsFile } from '../record/dora/read-events-file.ts'
import { JournalBuilder } from '../record/journal/journal-builder.ts'
import type { JournalEvent } from '../record/journal/journal-event.ts'

const START = Date.UTC(2026, 0, 1, 12)
const HOUR = 3_600_000

/** A drill's journal: change at 0, merged, deployed to staging and production, alert, recovery, fix merged. */
function drillJournal(
  runId: string,
  options: { alertAt?: number | null; recover?: boolean } = {},
): JournalEvent[] {
  const j = new JournalBuilder(START)
  const alertAt = options.alertAt === undefined ? 30_000 : options.alertAt
  j.at(0).started(runId)
  j.at(100).add('change.committed', { branch: 'b', commit: `${runId}-change`, title: 't' })
  j.at(200).add('change.merged', { branch: 'b', commit: `${runId}-change`, trunk: `${runId}-trunk` })
  j.at(300).add('change.deployed', { commit: `${runId}-trunk`, dark: true, environment: 'staging' })
  j.at(400).add('change.deployed', {
    commit: `${runId}-trunk`,
    dark: true,
    artifact: 'abc',
    environment: 'production',
  })
  if (alertAt !== null) {
    j.at(alertAt).add('alert.fired', {
      alert: 'fast-burn',
      severity: 'page',
      burnRates: { long: 15, short: 20 },
      threshold: 14.4,
      windows: { long: '1h', short: '5m' },
    })
    j.at(alertAt + 1_000).add('alert.fired', {
      alert: 'slow-burn',
      severity: 'page',
      burnRates: { long: 7, short: 8 },
      threshold: 6,
      windows: { long: '6h', short: '30m' },
    })
    if (options.recover !== false)
      j.at(alertAt + 4_000).add('recovery.confirmed', { errorRatio: 0, consecutiveEvaluations: 4 })
  }
  j.at(alertAt === null ? 50_000 : alertAt + 30_000).add('fix.merged', {
    branch: 'fix/AI-1',
    commit: `${runId}-fix`,
    trunk: `${runId}-fix-trunk`,
    actionItem: 'AI-1',
    gate: { green: true, steps: [] },
  })
  return j.build()
}

const at = (ms: number) => new Date(START + ms).toISOString()

describe('dora events from journals', () => {
  it('turns one drill into its changes, one production deployment and one incident', () => {
    const events = eventsFromJournals([drillJournal('r1')])
    expect(events.changes).toEqual([
      { change_id: 'r1-change', time_created: at(100), source: 'firedrill' },
      {
        change_id: 'r1-fix',
        time_created: at(60_000),
        source: 'firedrill',
        fixes_incidents: ['r1/incident'],
      },
    ])
    expect(events.deployments).toEqual([
      {
        deploy_id: 'r1/production/5',
        environment: 'production',
        time_created: at(400),
        changes: ['r1-change'],
        artifact: 'abc',
        commit: 'r1-trunk',
        result: 'success',
      },
    ])
    expect(events.incidents).toEqual([
      {
        incident_id: 'r1/incident',
        time_created: at(30_000),
        time_resolved: at(34_000),
        root_cause: 'r1-change',
        deployment_id: 'r1/production/5',
      },
    ])
  })

  it('gives a run without an alert no incident and the fix no deployment', () => {
    const events = eventsFromJournals([drillJournal('calm', { alertAt: null })])
    expect(events.incidents).toEqual([])
    expect(events.deployments).toHaveLength(1)
    expect(events.changes.find((c) => c.change_id === 'calm-fix')?.fixes_incidents).toBeUndefined()
  })

  it('leaves an unrecovered incident open, and one past the window unlinked', () => {
    const [open] = eventsFromJournals([drillJournal('r', { recover: false })]).incidents
    expect(open?.time_resolved).toBeNull()
    const [late] = eventsFromJournals([drillJournal('r', { alertAt: 2 * HOUR })], {
      incidentWindowMs: HOUR,
    }).incidents
    expect(late?.deployment_id).toBeNull()
  })

  it("counts a flag's close-out merged through the gate as a change the next production deployment carries", () => {
    const j = new JournalBuilder(START)
    j.started('c')
    j.at(1_000).add('cleanup.merged', {
      branch: 'cleanup/f',
      commit: 'c-cleanup',
      trunk: 'c-cleanup-trunk',
      flag: 'f',
      gate: { green: true, steps: [] },
    })
    j.at(3_000).add('change.deployed', { commit: 'c-cleanup-trunk', dark: false, environment: 'production' })
    const events = eventsFromJournals([j.build()])
    expect(events.changes).toEqual([{ change_id: 'c-cleanup', time_created: at(1_000), source: 'firedrill' }])
    expect(events.deployments.map((d) => [d.changes, d.commit])).toEqual([[['c-cleanup'], 'c-cleanup-trunk']])
    expect(doraMetrics(events, { now: START + HOUR }).changeLeadTime).toEqual({ medianMs: 2_000, changes: 1 })
  })

  it('adds the commits a deployment names itself, once, to those merged in the run', () => {
    const j = new JournalBuilder(START)
    j.started('a')
    j.at(1_000).add('cleanup.merged', {
      branch: 'cleanup/f',
      commit: 'a-cleanup',
      trunk: 'a-trunk',
      flag: 'f',
      gate: { green: true, steps: [] },
    })
    j.at(2_000).add('change.deployed', {
      commit: 'a-trunk',
      dark: false,
      environment: 'production',
      changes: ['earlier-fix', 'a-cleanup'],
    })
    const [deployment] = eventsFromJournals([j.build()]).deployments
    expect(deployment?.changes).toEqual(['a-cleanup', 'earlier-fix'])
  })

  it('measures two drills: both deployments failed, recovery only from the resolved incident', () => {
    const events = eventsFromJournals([drillJournal('a'), drillJournal('b', { recover: false })])
    const m = doraMetrics(events, { now: START + HOUR })
    expect(m.changeFailureRate).toEqual({ rate: 1, failedDeployments: 2, deployments: 2 })
    expect(m.failedDeploymentRecoveryTime).toEqual({ medianMs: 4_000, incidents: 1 })
    expect(m.changeLeadTime.medianMs).toBe(300)
  })
})

describe('fourkeys export and import', () => {
  const work = mkdtemp(join(tmpdir(), 'firedrill-dora-'))
  afterAll(async () => rm(await work, { recursive: true, force: true }))

  const events = eventsFromJournals([drillJournal('r1')])

  it('round-trips the JSON tables through readEventsFile', async () => {
    const file = join(await work, 'events.json')
    await writeFile(file, JSON.stringify({ metrics: {}, tables: toFourkeysTables(events) }))
    const back = await readEventsFile(file)
    expect(doraMetrics(back, { now: START + HOUR })).toEqual(doraMetrics(events, { now: START + HOUR }))
  })

  it('writes each table as CSV under a header line, separated by a blank line', () => {
    const csv = toFourkeysCsv(events)
    const blocks = csv.split('\r\n\r\n')
    expect(blocks.map((b) => b.split('\r\n')[0])).toEqual(['# changes', '# deployments', '# incidents'])
    expect(blocks[1]!.split('\r\n')[1]).toBe(
      'deploy_id,environment,time_created,changes,artifact,result,commit',
    )
    expect(csv).toContain(',"[""r1-change""]",abc,success,r1-trunk')
  })

  it('quotes CSV fields as RFC 4180 says, so a parser gets each field back', () => {
    const parse = (field: string) =>
      field.startsWith('"') ? field.slice(1, -1).replaceAll('""', '"') : field
    fc.assert(
      fc.property(fc.string(), (text) => {
        const field = csvField(text)
        expect(parse(field)).toBe(text)
        if (/[",\r\n]/.test(text)) expect(field.startsWith('"') && field.endsWith('"')).toBe(true)
        else expect(field).toBe(text)
      }),
    )
  })

  const invalid = async (content: string) => {
    const file = join(await work, `bad-${Math.random().toString(36).slice(2)}.json`)
    await writeFile(file, content)
    return readEventsFile(file).then(
      () => {
        throw new Error('accepted')
      },
      (err: { code: string; exitCode: number; field?: string; file?: string }) => ({ err, file }),
    )
  }

  it('names the file and the field of a wrong value, exit 2', async () => {
    const bad = structuredClone(toFourkeysTables(events)) as DoraEvents
    ;(bad.deployments[0] as { result: string }).result = 'maybe'
    const { err, file } = await invalid(JSON.stringify(bad))
    expect(err.code).toBe(DoraErrorCode.EVENTS_INVALID)
    expect(err.exitCode).toBe(2)
    expect(err.file).toBe(file)
    expect(err.field).toBe('deployments[0].result')
  })

  it('refuses a time that is not an instant', async () => {
    const bad = structuredClone(toFourkeysTables(events)) as DoraEvents
    bad.incidents[0]!.time_resolved = 'yesterday'
    const { err } = await invalid(JSON.stringify(bad))
    expect(err.field).toBe('incidents[0].time_resolved')
  })

  it('refuses a file that is not JSON, or missing', async () => {
    expect((await invalid('{')).err.code).toBe(DoraErrorCode.EVENTS_UNREADABLE)
    await expect(readEventsFile(join(await work, 'nope.json'))).rejects.toMatchObject({
      code: DoraErrorCode.EVENTS_UNREADABLE,
      exitCode: 2,
    })
  })
})
