import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DoraErrorCode } from '../record/dora/dora-errors.ts'
import type { DoraEvents } from '../record/dora/dora-events.ts'
import { toFourkeysCsv, toFourkeysTables } from '../record/dora/fourkeys-tables.ts'
import { parseFourkeysCsv } from '../record/dora/parse-fourkeys-csv.ts'
import { eventsFromRows, readEventsFile } from '../record/dora/read-events-file.ts'
import { runCliInProcess } from './support/run-cli.ts'

const id = fc.string({ minLength: 1, maxLength: 12 })
const instant = fc
  .integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) })
  .map((ms) => new Date(ms).toISOString())
const events: fc.Arbitrary<DoraEvents> = fc.record({
  changes: fc.uniqueArray(
    fc.record(
      {
        change_id: id,
        time_created: instant,
        source: fc.string(),
        fixes_incidents: fc.array(id, { maxLength: 2 }),
      },
      { requiredKeys: ['change_id', 'time_created', 'source'] },
    ),
    { maxLength: 4, selector: (c) => c.change_id },
  ),
  deployments: fc.uniqueArray(
    fc.record(
      {
        deploy_id: id,
        environment: id,
        time_created: instant,
        changes: fc.array(id, { maxLength: 3 }),
        artifact: fc.string(),
        commit: fc.string(),
        result: fc.constantFrom('success' as const, 'failure' as const, 'rolled-back' as const),
      },
      { requiredKeys: ['deploy_id', 'environment', 'time_created', 'changes', 'result'] },
    ),
    { maxLength: 4, selector: (d) => d.deploy_id },
  ),
  incidents: fc.array(
    fc.record({
      incident_id: id,
      time_created: instant,
      time_resolved: fc.option(instant, { nil: null }),
      root_cause: fc.option(id, { nil: null }),
      deployment_id: fc.option(id, { nil: null }),
    }),
    { maxLength: 3 },
  ),
})

describe('DORA events from fourkeys CSV', () => {
  it('reads back every table --csv writes, whatever the fields hold (commas, quotes, line breaks)', () => {
    fc.assert(
      fc.property(events, (written) => {
        const back = eventsFromRows(parseFourkeysCsv(toFourkeysCsv(written), 'events.csv'), 'events.csv')
        expect(toFourkeysTables(back)).toEqual(toFourkeysTables(written))
      }),
    )
  })

  it('takes the columns in any order, LF line ends, and empty cells as null or absent', () => {
    const csv = [
      '# changes',
      'source,time_created,change_id',
      'git,2026-01-01T12:00:00Z,c1',
      '',
      '# deployments',
      'result,deploy_id,environment,time_created,changes',
      'success,d1,production,2026-01-01T12:30:00Z,"[""c1""]"',
      '# incidents',
      'incident_id,time_created,time_resolved,root_cause,deployment_id',
      'i1,2026-01-01T13:00:00Z,,c1,',
      '',
    ].join('\n')
    const back = eventsFromRows(parseFourkeysCsv(csv, 'x.csv'), 'x.csv')
    expect(back).toEqual({
      changes: [{ change_id: 'c1', time_created: '2026-01-01T12:00:00Z', source: 'git' }],
      deployments: [
        {
          deploy_id: 'd1',
          environment: 'production',
          time_created: '2026-01-01T12:30:00Z',
          changes: ['c1'],
          result: 'success',
        },
      ],
      incidents: [
        {
          incident_id: 'i1',
          time_created: '2026-01-01T13:00:00Z',
          time_resolved: null,
          root_cause: 'c1',
          deployment_id: null,
        },
      ],
    })
  })

  const refusal = (csv: string) => {
    try {
      parseFourkeysCsv(csv, 'bad.csv')
    } catch (err) {
      return err as { code: string; field?: string; exitCode: number }
    }
    throw new Error('accepted')
  }

  it('names the line or table of a CSV it cannot take, exit 2', () => {
    const head = '# changes\nchange_id,time_created,source\n'
    const rest =
      '# deployments\ndeploy_id,environment,time_created,changes,result\n# incidents\nincident_id\n'
    expect(refusal(`${head}c1,2026-01-01T00:00:00Z\n${rest}`)).toMatchObject({
      code: DoraErrorCode.EVENTS_INVALID,
      field: 'line 3',
      exitCode: 2,
    })
    expect(refusal(`# changes\nchange_id,owner\n${rest}`)).toMatchObject({ field: 'line 2' })
    expect(refusal(`# builds\n${head}`)).toMatchObject({ field: 'line 1' })
    expect(refusal(`${head}"c1,2026-01-01T00:00:00Z,git\n`)).toMatchObject({
      code: DoraErrorCode.EVENTS_UNREADABLE,
    })
  })
})

describe('firedrill dora --events FILE.csv', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'firedrill-dora-csv-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('gives the same metrics from the CSV as from the JSON it came from', async () => {
    const sample: DoraEvents = {
      changes: [{ change_id: 'c1', time_created: '2026-01-01T12:00:00.000Z', source: 'git' }],
      deployments: [
        {
          deploy_id: 'd1',
          environment: 'production',
          time_created: '2026-01-01T12:30:00.000Z',
          changes: ['c1'],
          result: 'success',
        },
      ],
      incidents: [
        {
          incident_id: 'i1',
          time_created: '2026-01-01T13:00:00.000Z',
          time_resolved: '2026-01-01T13:20:00.000Z',
          root_cause: 'c1',
          deployment_id: 'd1',
        },
      ],
    }
    const json = join(dir, 'events.json')
    const csv = join(dir, 'events.csv')
    await writeFile(json, JSON.stringify(sample))
    await writeFile(csv, toFourkeysCsv(sample))
    expect(toFourkeysTables(await readEventsFile(csv))).toEqual(toFourkeysTables(await readEventsFile(json)))
    const args = ['dora', '--until', '2026-01-02T00:00:00Z', '--json', '--events']
    const fromJson = await runCliInProcess([...args, json])
    const fromCsv = await runCliInProcess([...args, csv])
    expect(fromCsv.code, fromCsv.stderr).toBe(0)
    expect(JSON.parse(fromCsv.stdout).metrics).toEqual(JSON.parse(fromJson.stdout).metrics)
    expect(JSON.parse(fromCsv.stdout).metrics.changeFailureRate.rate).toBe(1)
  })
})
