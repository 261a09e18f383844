import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CriterionResult, GradeReport } from '../capstone/grade/grade-result.ts'
import { git } from '../record/git/git.ts'
import { type HandMadeCapstone, handMadeCapstone } from './support/hand-made-capstone.ts'
import { repositoryState } from './support/repository-state.ts'
import { runCliInProcess } from './support/run-cli.ts'

let work: string
let made: HandMadeCapstone
let report: GradeReport
let before: string[]
let after: string[]

const criterion = (id: string): CriterionResult => report.criteria.find((c) => c.id === id)!
const states = () => Promise.all([made.capstone, made.sandbox].map(repositoryState))

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'firedrill-grade-evidence-'))
  made = await handMadeCapstone(work)
  before = await states()
  const graded = await runCliInProcess(['grade', '--repo', made.capstone, '--json', '--no-demo'])
  report = JSON.parse(graded.stdout) as GradeReport
  after = await states()
}, 300_000)
afterAll(() => rm(work, { recursive: true, force: true }))

describe("firedrill grade reads the runs' evidence", () => {
  it('passes the dark release recovered by its flag, with MTTR as the journal gives it', () => {
    const c = criterion('dark-release')
    expect(c.status, c.summary).toBe('pass')
    expect(c.evidence.map((e) => e.detail).join('\n')).toContain('MTTR 20.0 s')
  })

  it('passes the before/after DORA snapshot of a run and its --again run', () => {
    const c = criterion('dora-before-after')
    expect(c.status, JSON.stringify(c)).toBe('pass')
    expect(c.evidence[0]!.detail).toMatch(/^before: deployment frequency .*change failure rate 100\.0%/)
    expect(c.evidence[1]!.detail).toMatch(/^after: .*change failure rate 0\.0%/)
  })

  it("passes flag hygiene: the capstone's flags and the drill's close-out on its trunk", () => {
    const c = criterion('flag-hygiene')
    expect(c.status, JSON.stringify(c)).toBe('pass')
    expect(c.evidence.map((e) => e.detail).join('\n')).toContain('no source file on trunk')
  })

  it('passes the action item that ships tests through the gate, as verify holds it', () => {
    const c = criterion('postmortem-shipped')
    expect(c.status, JSON.stringify(c)).toBe('pass')
    expect(c.evidence[0]).toMatchObject({ kind: 'commit', ref: made.fixHead })
    expect(c.evidence[0]!.detail).toContain(
      'contract test contracts/coupons.contract.test.ts; test tests/coupons.test.ts',
    )
  })

  it('finds the contract drill and the test that stops the bad change by their evidence', () => {
    expect(criterion('contract-drill').status).toBe('pass')
    expect(criterion('test-stops-bad-change').status).toBe('pass')
    expect(criterion('mistake-log').status, JSON.stringify(criterion('mistake-log'))).toBe('pass')
  })

  it("takes the drills' merges as gated merges, and leaves criterion 1 to the demonstration", () => {
    const c = criterion('gate-blocks-red')
    expect(c.status).toBe('not-yet')
    expect(c.summary).toContain(
      '3 merge(s) went through the gate green; the forced-red demonstration was skipped',
    )
  })

  it('changes neither the capstone nor the run it graded', () => {
    expect(after).toEqual(before)
  })

  it('fails criterion 4 when a flag on trunk loses its removal ticket', async () => {
    const file = join(made.capstone, 'services', 'flags', 'flags.json')
    const flags = JSON.parse(await readFile(file, 'utf8'))
    delete flags.flags['checkout.new-pricing'].metadata.removalTicket
    await writeFile(file, JSON.stringify(flags, null, 2))
    await git(made.capstone, ['commit', '-q', '-am', 'chore: drop a ticket'])
    const graded = await runCliInProcess(['grade', '--repo', made.capstone, '--json', '--no-demo'])
    const c = (JSON.parse(graded.stdout) as GradeReport).criteria.find((x) => x.id === 'flag-hygiene')!
    expect(c.status).toBe('fail')
    expect(c.evidence[0]!.detail).toContain('checkout.new-pricing has no removalTicket')
  }, 60_000)
})
