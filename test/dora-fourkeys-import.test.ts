import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DoraEvents } from '../record/dora/dora-events.ts'
import { toFourkeysCsv } from '../record/dora/fourkeys-tables.ts'
import { EVENTS_RAW, eventsRawCsv, eventsRawJsonLines } from './support/fourkeys/events-raw.ts'
import { runCliInProcess as cli } from './support/run-cli.ts'

const UNTIL = ['--until', '2026-03-05T00:00:00Z']
const HOUR = 3_600_000

/** What fourkeys' queries make of EVENTS_RAW (times in UTC; c1's to the second). */
const DERIVED: DoraEvents = {
  changes: [
    { change_id: 'c1', time_created: '2026-03-02T07:00:00.000Z', source: 'github' },
    { change_id: 'c2', time_created: '2026-03-02T08:30:00.000Z', source: 'github' },
    { change_id: 'c3', time_created: '2026-03-03T09:00:00.000Z', source: 'github' },
  ],
  deployments: [
    {
      deploy_id: 'dep-1',
      environment: 'production',
      time_created: '2026-03-02T12:00:00.250Z',
      changes: ['c1', 'c2'],
      commit: 'a1',
      result: 'success',
    },
    {
      deploy_id: 'cb-2',
      environment: 'production',
      time_created: '2026-03-03T12:00:00.000Z',
      changes: ['c3'],
      commit: 'b1',
      result: 'success',
    },
  ],
  incidents: [
    {
      // Starts when its root cause was deployed, which is before the issue was opened.
      incident_id: '7',
      time_created: '2026-03-03T12:00:00.000Z',
      time_resolved: '2026-03-03T15:00:00.000Z',
      root_cause: 'c3',
      deployment_id: 'cb-2',
    },
    {
      incident_id: 'PX1',
      time_created: '2026-03-04T08:00:00.000Z',
      time_resolved: '2026-03-04T08:30:00.000Z',
      root_cause: null,
      deployment_id: null,
    },
  ],
}

const EXPECTED_METRICS = {
  deploymentFrequency: { deployments: 2, days: 4, perDay: 0.5 },
  changeLeadTime: { changes: 3, medianMs: 3.5 * HOUR + 250 },
  changeFailureRate: { failedDeployments: 1, deployments: 2, rate: 0.5 },
  failedDeploymentRecoveryTime: { incidents: 2, medianMs: (3 * HOUR + HOUR / 2) / 2 },
}

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'firedrill-fourkeys-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

async function file(name: string, content: string): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, content)
  return path
}

async function dora(...files: string[]) {
  const result = await cli(['dora', ...UNTIL, '--json', ...files.flatMap((f) => ['--events', f])])
  expect(result.code, result.stderr).toBe(0)
  return JSON.parse(result.stdout) as { metrics: unknown; tables: DoraEvents }
}

/** The tables as `--json` prints them (every column present). */
function printed(events: DoraEvents): DoraEvents {
  return {
    changes: events.changes.map((c) => ({ ...c, fixes_incidents: [] })),
    deployments: events.deployments.map((d) => ({ artifact: '', commit: '', ...d })),
    incidents: events.incidents,
  }
}

describe("DORA from fourkeys' events_raw", () => {
  it("builds changes, deployments and incidents from BigQuery's JSON lines export, as fourkeys' queries do", async () => {
    const { metrics, tables } = await dora(await file('events_raw.json', eventsRawJsonLines()))
    expect(tables).toEqual(printed(DERIVED))
    expect(metrics).toMatchObject(EXPECTED_METRICS)
  })

  it("reads the same rows from BigQuery's CSV export saved by Excel (byte-order mark, CRLF)", async () => {
    const fromCsv = await dora(await file('events_raw.csv', eventsRawCsv()))
    expect(fromCsv.tables).toEqual(printed(DERIVED))
  })

  it('reads a JSON list of rows (bq query --format=json)', async () => {
    const { tables } = await dora(await file('events_raw-list.json', JSON.stringify(EVENTS_RAW)))
    expect(tables).toEqual(printed(DERIVED))
  })
})

describe("DORA from fourkeys' own tables", () => {
  it('takes the changes, deployments and incidents tables as fourkeys writes them, one export each', async () => {
    const changes = await file(
      'changes.csv',
      [
        'source,event_type,change_id,time_created',
        'github,push,c1,2026-03-02 07:00:00 UTC',
        'github,push,c2,2026-03-02 08:30:00 UTC',
        'github,push,c3,2026-03-03 09:00:00 UTC',
        '',
      ].join('\r\n'),
    )
    const deployments = await file(
      'deployments.json',
      [
        {
          source: 'github',
          deploy_id: 'dep-1',
          time_created: '2026-03-02 12:00:00.250 UTC',
          main_commit: 'a1',
          changes: ['c1', 'c2'],
        },
        {
          source: 'cloud_build',
          deploy_id: 'cb-2',
          time_created: '2026-03-03 12:00:00 UTC',
          main_commit: 'b1',
          changes: ['c3'],
        },
      ]
        .map((row) => `${JSON.stringify(row)}\n`)
        .join(''),
    )
    const incidents = await file(
      'incidents.json',
      JSON.stringify([
        {
          source: 'github',
          incident_id: '7',
          time_created: '2026-03-03 12:00:00 UTC',
          time_resolved: '2026-03-03 15:00:00 UTC',
          changes: ['c3'],
        },
        {
          source: 'pagerduty',
          incident_id: 'PX1',
          time_created: '2026-03-04 08:00:00 UTC',
          time_resolved: '2026-03-04 08:30:00 UTC',
          changes: [],
        },
      ]),
    )
    const { metrics, tables } = await dora(changes, deployments, incidents)
    expect(tables.incidents).toEqual(DERIVED.incidents)
    expect(tables.deployments.map((d) => [d.deploy_id, d.environment, d.commit, d.changes])).toEqual([
      ['dep-1', 'production', 'a1', ['c1', 'c2']],
      ['cb-2', 'production', 'b1', ['c3']],
    ])
    expect(metrics).toMatchObject(EXPECTED_METRICS)
  })

  it('accepts minimal rows: a change without source, a deployment without environment or result, an open incident', async () => {
    const minimal = await file(
      'minimal.json',
      JSON.stringify({
        changes: [{ change_id: 'c1', time_created: '2026-03-02T07:00:00Z' }],
        deployments: [{ deploy_id: 'd1', time_created: '2026-03-02T08:00:00Z', changes: ['c1'] }],
        incidents: [{ incident_id: 'i1', time_created: '2026-03-02T09:00:00Z' }],
      }),
    )
    const { metrics, tables } = await dora(minimal)
    expect(tables.changes).toEqual([
      { change_id: 'c1', time_created: '2026-03-02T07:00:00Z', source: '', fixes_incidents: [] },
    ])
    expect(tables.deployments[0]).toMatchObject({ environment: 'production', result: 'success' })
    expect(metrics).toMatchObject({
      changeLeadTime: { medianMs: HOUR },
      changeFailureRate: { rate: 1 },
      failedDeploymentRecoveryTime: { incidents: 0, medianMs: null },
    })
  })

  it("reads firedrill's own CSV after Excel saved it with a byte-order mark", async () => {
    const plain = await dora(await file('plain.csv', toFourkeysCsv(DERIVED)))
    const excel = await dora(await file('excel.csv', `\uFEFF${toFourkeysCsv(DERIVED)}`))
    expect(excel).toEqual(plain)
    expect(excel.tables.changes).toHaveLength(3)
  })
})

describe('a history file it cannot take', () => {
  const bad = EVENTS_RAW[0]!
  it.each([
    [
      'changes.csv',
      'change_id,time_created\r\nc1,2026-03-02T07:00:00Z\r\nc2,next tuesday\r\n',
      'line 3 time_created',
    ],
    [
      'events_raw.json',
      `${JSON.stringify(bad)}\n${JSON.stringify({ ...bad, metadata: '{"commits": [' })}\n`,
      'line 2 metadata',
    ],
    [
      'events_raw-time.json',
      `${JSON.stringify({ ...bad, metadata: JSON.stringify({ commits: [{ id: 'c9', timestamp: 'then' }] }) })}\n`,
      'line 1 metadata.commits[0].timestamp',
    ],
    [
      'deployments-list.json',
      JSON.stringify([
        { deploy_id: 'd1', time_created: '2026-03-02T08:00:00Z' },
        { deploy_id: 'd2', time_created: 'soon' },
      ]),
      'row 2 time_created',
    ],
    ['incidents.json', JSON.stringify({ incidents: [{ incident_id: 'i1' }] }), 'incidents[0].time_created'],
  ])('exits 2 on %s naming the file, the line or row and the field', async (name, content, field) => {
    const path = await file(name, content)
    const { code, stderr } = await cli(['dora', '--events', path])
    expect(code).toBe(2)
    expect(stderr).toMatch(/^firedrill: /)
    expect(stderr).toContain(`"${path}": ${field} `)
    expect(stderr).not.toMatch(/\n\s+at /)
  })

  it('names the second file when two exports repeat a deployment', async () => {
    const row = JSON.stringify([{ deploy_id: 'd1', time_created: '2026-03-02T08:00:00Z' }])
    const first = await file('first.json', row)
    const second = await file('second.json', row)
    const { code, stderr } = await cli(['dora', '--events', first, '--events', second])
    expect(code).toBe(2)
    expect(stderr).toContain(`"${second}": row 1 deploy_id repeats "d1"`)
  })
})
