import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mergeWhenGreen } from '../gate/merge/merge-when-green.ts'
import { runGate } from '../gate/runner/run-gate.ts'
import { createFixtureRepo, type FixtureRepo, gateTestEnv } from '../gate/testing/fixture-repo.ts'
import { git } from '../record/git/git.ts'
import { runCliInProcess } from './support/run-cli.ts'

const GATE = 'version: 1\nsteps:\n  - name: check\n    run: "grep -q good state.txt"\n'

let repo: FixtureRepo
let runDir: string

/** A run directory as a drill leaves it: the postmortem (JSON and Markdown) beside its sandbox repository. */
beforeAll(async () => {
  repo = await createFixtureRepo({ 'state.txt': 'good\n' }, GATE)
  await repo.commit({ 'fix.txt': 'fixed\n' }, 'fix: the repair\n\nRefs: AI-1', 'fix/AI-1', 'main')
  await git(repo.dir, ['checkout', '-q', 'main'])
  await runGate({ repo: repo.dir, ref: 'fix/AI-1', env: gateTestEnv() })
  await mergeWhenGreen({ repo: repo.dir, branch: 'fix/AI-1', env: gateTestEnv() })
  runDir = await mkdtemp(join(tmpdir(), 'firedrill-verify-cli-'))
  await symlink(repo.dir, join(runDir, 'sandbox'), 'dir')
  const item = { id: 'AI-1', title: 'repair', owner: 'sre', dueDate: '2099-01-01', status: 'done' }
  await writeFile(join(runDir, 'postmortem.json'), JSON.stringify({ actionItems: [item], change: null }))
  await writeFile(join(runDir, 'postmortem.md'), '# Postmortem\n\nFor people.\n')
}, 60_000)

afterAll(async () => {
  await repo?.remove()
  if (runDir !== undefined) await rm(runDir, { recursive: true, force: true })
})

describe('firedrill verify', () => {
  it("takes the postmortem.md a drill prints, judges the run's own sandbox and says so", async () => {
    // Regression: the .md was read as JSON (exit 2), and without --repo the current directory was judged.
    const { code, stdout, stderr } = await runCliInProcess([
      'verify',
      join(runDir, 'postmortem.md'),
      '--no-replay',
    ])
    expect(code, `${stdout}\n${stderr}`).toBe(0)
    expect(stdout).toContain(
      `repository ${join(runDir, 'sandbox')} (the run's sandbox beside the postmortem)`,
    )
    expect(stdout).toMatch(/^AI-1\s+2099-01-01\s+done\s+yes/m)
  })

  it('reports the repository it judged in --json, and judges --repo when given', async () => {
    const auto = await runCliInProcess(['verify', join(runDir, 'postmortem.json'), '--no-replay', '--json'])
    expect(JSON.parse(auto.stdout)).toMatchObject({
      repository: join(runDir, 'sandbox'),
      repositorySource: 'run',
    })
    const elsewhere = await mkdtemp(join(tmpdir(), 'firedrill-verify-other-'))
    try {
      await mkdir(join(elsewhere, 'copy'))
      await writeFile(
        join(elsewhere, 'copy', 'postmortem.json'),
        JSON.stringify({ actionItems: [], change: null }),
      )
      const given = await runCliInProcess([
        'verify',
        join(elsewhere, 'copy', 'postmortem.json'),
        '--repo',
        repo.dir,
        '--no-replay',
        '--json',
      ])
      expect(JSON.parse(given.stdout)).toMatchObject({ repository: repo.dir, repositorySource: 'given' })
    } finally {
      await rm(elsewhere, { recursive: true, force: true })
    }
  })
})
