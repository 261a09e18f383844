import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CapstoneErrorCode } from '../capstone/capstone-errors.ts'
import { CRITERIA } from '../capstone/criteria.ts'
import type { GradeReport } from '../capstone/grade/grade-result.ts'
import { createCapstone } from '../capstone/init/create-capstone.ts'
import { repositoryState } from './support/repository-state.ts'
import { runCliInProcess } from './support/run-cli.ts'

let work: string
let dir: string

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'firedrill-grade-'))
  dir = (await createCapstone(join(work, 'fresh'))).dir
}, 60_000)
afterAll(() => rm(work, { recursive: true, force: true }))

describe('firedrill grade on a fresh capstone', () => {
  it('lists every criterion, says what is missing with the command that produces it, and exits 1', async () => {
    const { code, stdout } = await runCliInProcess(['grade', '--repo', dir, '--json'])
    expect(code).toBe(1)
    const report = JSON.parse(stdout) as GradeReport
    expect(report.criteria.map((c) => c.id)).toEqual(CRITERIA.map((c) => c.id))
    expect(report.passed).toBe(false)
    for (const c of report.criteria.filter((x) => x.kind === 'acceptance')) {
      expect(c.status, c.id).toBe('not-yet')
      expect(c.next.length, c.id).toBeGreaterThan(0)
    }
    const byId = new Map(report.criteria.map((c) => [c.id, c]))
    expect(byId.get('dark-release')!.next).toContain('npx firedrill run')
    expect(byId.get('gate-blocks-red')!.next.join('\n')).toContain('npx firedrill merge small-change')
    // The flags file init writes already holds half of criterion 4: its evidence says so.
    expect(byId.get('flag-hygiene')!.evidence[0]!.detail).toContain(
      'each with an owner, a removal ticket and an expiry',
    )
    expect(byId.get('flag-debt-guard')!.status).toBe('pass')
    expect(report.points).toBe(0)
    expect(report.maxPoints).toBe(100)
  }, 60_000)

  it('prints a table for people, and writes JUnit, Markdown and GitHub Classroom results', async () => {
    const junit = join(work, 'grade.xml')
    const markdown = join(work, 'grade.md')
    const classroom = join(work, 'classroom.json')
    const { code, stdout } = await runCliInProcess([
      'grade',
      '--repo',
      dir,
      '--junit',
      junit,
      '--markdown',
      markdown,
      '--classroom',
      classroom,
    ])
    expect(code).toBe(1)
    expect(stdout).toMatch(/^2\.\s+dark-release\s+NOT YET\s+0\/20\s+no drill run/m)
    expect(stdout).toMatch(/^\s+next:\s+npx firedrill run$/m)
    expect(stdout).toContain('NOT YET: 0 of 5 acceptance criteria pass; 0/100 points')
    const xml = await readFile(junit, 'utf8')
    expect(xml.match(/<testcase /g)).toHaveLength(CRITERIA.length)
    expect(xml).toContain('failures="5"')
    expect(xml).toContain('<skipped message=')
    const md = await readFile(markdown, 'utf8')
    expect(md).toContain('## firedrill grade')
    expect(md).toContain('| 2. | `dark-release` | ⏳ NOT YET | 0/20 |')
    const result = JSON.parse(await readFile(classroom, 'utf8'))
    expect(result).toMatchObject({ version: 1, status: 'fail', max_score: 100 })
    expect(result.tests).toHaveLength(CRITERIA.length)
    expect(result.tests[0]).toMatchObject({ status: 'fail', score: 0, line_no: 0 })
  }, 60_000)

  it("weighs criteria by the teacher's rubric", async () => {
    const rubric = join(work, 'rubric.yaml')
    await writeFile(rubric, 'version: 1\npoints:\n  flag-debt-guard: 7\n  dark-release: 50\n')
    const { stdout } = await runCliInProcess(['grade', '--repo', dir, '--rubric', rubric, '--json'])
    const report = JSON.parse(stdout) as GradeReport
    expect(report).toMatchObject({ points: 7, maxPoints: 57, rubric })
  }, 60_000)

  it('refuses a rubric with a mistyped criterion, naming the file, the field and the fix', async () => {
    const rubric = join(work, 'typo.yaml')
    await writeFile(rubric, 'version: 1\npoints:\n  dark-releas: 10\n')
    const { code, stderr } = await runCliInProcess(['grade', '--repo', dir, '--rubric', rubric])
    expect(code).toBe(2)
    expect(stderr).toContain(rubric)
    expect(stderr).toContain('points.dark-releas is not a known field')
    expect(stderr).toContain('did you mean "dark-release"?')
    expect(stderr).not.toMatch(/\n\s+at /)
    await expect(import('../capstone/rubric.ts').then((m) => m.loadRubric(rubric))).rejects.toMatchObject({
      code: CapstoneErrorCode.RUBRIC_INVALID,
    })
  })

  it('refuses a directory that is not a git repository', async () => {
    const { code, stderr } = await runCliInProcess(['grade', '--repo', work])
    expect(code).toBe(2)
    expect(stderr).toContain('is not inside a git repository')
  })

  it('never changes the repository it grades', async () => {
    const before = await repositoryState(dir)
    await runCliInProcess(['grade', '--repo', dir])
    expect(await repositoryState(dir)).toBe(before)
  }, 60_000)
})
