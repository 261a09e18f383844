import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { doraCommand } from '../scripts/commands/dora-command.ts'
import { drillJournal } from './support/drill-journals.ts'
import { runCliInProcess as cli } from './support/run-cli.ts'

const START = Date.UTC(2026, 0, 1, 12)

/** A drill (incident, recovered after 5 s) or its `--again` run (refused, nothing deployed, no incident). */
const journal = (runId: string, again: boolean) =>
  drillJournal(runId, {
    start: START + (again ? 3_600_000 : 0),
    trunk: 'trunk',
    artifact: 'abc',
    ...(again ? { refused: {} } : {}),
  })

let work: string
let runs: string
const DRILL = '20260101T120000-bad-pricing-aaaaaa'
const AGAIN = '20260101T130000-bad-pricing-bbbbbb'

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'firedrill-dora-cli-'))
  runs = join(work, 'runs')
  for (const [id, again] of [
    [DRILL, false],
    [AGAIN, true],
  ] as const) {
    await mkdir(join(runs, id), { recursive: true })
    await writeFile(
      join(runs, id, 'journal.jsonl'),
      journal(id, again)
        .map((e) => `${JSON.stringify(e)}\n`)
        .join(''),
    )
  }
})
afterAll(() => rm(work, { recursive: true, force: true }))
afterEach(() => vi.restoreAllMocks())

describe('firedrill dora', () => {
  it("prints the five metrics with their formulas' inputs from every run's journal", async () => {
    const { code, stdout, stderr } = await cli(['dora', '--runs', runs])
    expect(code, stderr).toBe(0)
    const lines = stdout.trimEnd().split('\n')
    expect(lines.map((l) => l.slice(0, 32).trim())).toEqual([
      'period',
      'deployment frequency',
      'change lead time',
      'change failure rate',
      'failed deployment recovery time',
      'deployment rework rate',
    ])
    expect(lines[2]).toMatch(/2\.0 s\s+median over 1 change /)
    expect(lines[3]).toMatch(/100\.0%\s+1 of 1 production deployment linked to an incident/)
    expect(lines[4]).toMatch(/5\.0 s\s+median over 1 resolved incident linked/)
  })

  it('prints {metrics, tables} with --json, and reads the tables back with --events', async () => {
    const json = await cli(['dora', '--runs', runs, '--json'])
    expect(json.code).toBe(0)
    const out = JSON.parse(json.stdout)
    expect(out.metrics.changeFailureRate).toEqual({ rate: 1, failedDeployments: 1, deployments: 1 })
    expect(out.tables.changes).toHaveLength(2)
    expect(out.tables.incidents[0].deployment_id).toBe(out.tables.deployments[0].deploy_id)
    const file = join(work, 'events.json')
    await writeFile(file, json.stdout)
    const back = await cli(['dora', '--events', file, '--json'])
    expect(back.code, back.stderr).toBe(0)
    expect(JSON.parse(back.stdout).tables).toEqual(out.tables)
  })

  it('prints the three tables as CSV with --csv', async () => {
    const { code, stdout } = await cli(['dora', '--runs', runs, '--csv'])
    expect(code).toBe(0)
    expect(stdout.split('\r\n\r\n').map((block) => block.split('\r\n')[0])).toEqual([
      '# changes',
      '# deployments',
      '# incidents',
    ])
  })

  it('compares a drill with its --again run side by side', async () => {
    const { code, stdout, stderr } = await cli(['dora', '--runs', runs, '--compare', DRILL, AGAIN])
    expect(code, stderr).toBe(0)
    const lines = stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(new RegExp(`^metric\\s+${DRILL}\\s+${AGAIN}$`))
    expect(lines.find((l) => l.startsWith('change failure rate'))).toMatch(/100\.0%\s+n\/a$/)
    const json = JSON.parse(
      (await cli(['dora', '--compare', join(runs, DRILL), join(runs, AGAIN), '--json'])).stdout,
    )
    expect(json.a.metrics.failedDeploymentRecoveryTime.medianMs).toBe(5_000)
    expect(json.b.metrics.deploymentFrequency.deployments).toBe(0)
  })

  it('keeps runs before --since out', async () => {
    const { stdout } = await cli(['dora', '--runs', runs, '--since', '2026-01-02', '--json'])
    expect(JSON.parse(stdout).metrics.deploymentFrequency.deployments).toBe(0)
  })

  it.each([
    [['--since', 'soon'], 'FIREDRILL_DORA_DATE_INVALID'],
    [['--json', '--csv'], 'FIREDRILL_USAGE'],
    [['--compare', DRILL], 'FIREDRILL_USAGE'],
  ])('exits 2 on a usage mistake (%j, %s)', async (args, errorCode) => {
    await expect(doraCommand.run(['--runs', runs, ...args])).rejects.toMatchObject({
      code: errorCode,
      exitCode: 2,
    })
    const { code, stderr } = await cli(['dora', '--runs', runs, ...args])
    expect(code).toBe(2)
    expect(stderr).toMatch(/^firedrill: /)
  })

  it('exits 2 naming the file when there are no runs or the events file is wrong', async () => {
    await expect(doraCommand.run(['--runs', join(work, 'missing')])).rejects.toMatchObject({
      code: 'FIREDRILL_DORA_RUNS_NOT_FOUND',
    })
    const none = await cli(['dora', '--runs', join(work, 'missing')])
    expect(none.code).toBe(2)
    const bad = join(work, 'bad.json')
    await writeFile(bad, JSON.stringify({ changes: [], deployments: [{}], incidents: [] }))
    const invalid = await cli(['dora', '--events', bad])
    expect(invalid.code).toBe(2)
    expect(invalid.stderr).toContain(bad)
    expect(invalid.stderr).toContain('deployments[0]')
  })

  it('is listed in firedrill --help', async () => {
    const { stdout } = await cli(['--help'])
    expect(stdout).toContain('dora [--runs DIR]')
  })
})
