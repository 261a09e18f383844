import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { GradeReport } from '../capstone/grade/grade-result.ts'
import { quickScenario } from './support/quick-scenario.ts'
import { testRedisUrl } from './support/redis-sandbox.ts'
import { repositoryState } from './support/repository-state.ts'
import { type CliResult, spawnCli } from './support/run-cli.ts'

const work = await mkdtemp(join(tmpdir(), 'firedrill-capstone-e2e-'))
afterAll(() => rm(work, { recursive: true, force: true }))

/** The command line as the student types it, from the capstone directory. */
async function student(cwd: string, args: string[]): Promise<CliResult> {
  return spawnCli(args, { REDIS_URL: testRedisUrl() }, { cwd }).done
}

describe('the capstone, end to end', () => {
  it('init, a drill, its --again run: grade passes every acceptance criterion, and changes nothing', async () => {
    const capstone = join(work, 'capstone')
    expect((await student(work, ['init', capstone])).code).toBe(0)

    // A fresh capstone lists what is missing, each with its command.
    const fresh = await student(capstone, ['grade', '--json', '--no-demo'])
    expect(fresh.code).toBe(1)
    const missing = (JSON.parse(fresh.stdout) as GradeReport).criteria.filter((c) => c.kind === 'acceptance')
    expect(missing.every((c) => c.status === 'not-yet' && c.next.length > 0)).toBe(true)

    // The drills a student runs: the bad-pricing drill (time compressed), then its --again run.
    const scenario = await quickScenario({
      stopConditions: { maxErrorBudgetConsumedPct: 100, maxDurationSeconds: 600 },
    })
    const first = await student(capstone, ['run', '--scenario', scenario, '--json'])
    expect(first.code, first.stderr.slice(-3000)).toBe(0)
    const runDir = JSON.parse(first.stdout).journal.replace(/\/journal\.jsonl$/, '')
    const again = await student(capstone, ['run', '--again', runDir, '--json'])
    expect(again.code, again.stderr.slice(-3000)).toBe(0)
    expect(JSON.parse(again.stdout).status).toBe('prevented')

    const repositories = [capstone, join(runDir, 'sandbox')]
    const before = await Promise.all(repositories.map(repositoryState))
    const graded = await student(capstone, ['grade', '--json'])
    const report = JSON.parse(graded.stdout) as GradeReport
    const acceptance = report.criteria.filter((c) => c.kind === 'acceptance')
    expect(
      acceptance.map((c) => [c.id, c.status]),
      JSON.stringify(
        acceptance.map((c) => ({ id: c.id, summary: c.summary, evidence: c.evidence })),
        null,
        1,
      ),
    ).toEqual(acceptance.map((c) => [c.id, 'pass']))
    expect(graded.code).toBe(0)
    expect(report.points).toBe(100)
    expect(await Promise.all(repositories.map(repositoryState))).toEqual(before)
  }, 900_000)
})
