import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { judgeGateBlocksRed } from '../capstone/grade/criteria/gate-blocks-red.ts'
import { gradeContext } from '../capstone/grade/grade-context.ts'
import { RepoCopies } from '../capstone/grade/repo-copies.ts'
import { mergeWhenGreen } from '../gate/merge/merge-when-green.ts'
import { installTrunkMergeHooks } from '../gate/merge/trunk-merge-hook.ts'
import { runGate } from '../gate/runner/run-gate.ts'
import { PROJECT_ROOT } from '../gate/sandbox/sandbox-repo.ts'
import { createFixtureRepo, type FixtureRepo, gateTestEnv } from '../gate/testing/fixture-repo.ts'
import { git } from '../record/git/git.ts'
import { repositoryState } from './support/repository-state.ts'

/** Three blocking steps the grader must each force red: a script, the secret scan, flag debt. */
const GATE = `version: 1
steps:
  - name: check
    run: sh scripts/check.sh
  - name: secrets
    uses: secret-scan
  - name: flags
    uses: flag-debt
    with:
      flagsFile: flags.json
`

let repo: FixtureRepo | undefined
afterEach(async () => {
  await repo?.remove()
  repo = undefined
})

/** A capstone-like repository whose trunk took one small change through the gate. */
async function repository(options: { hooks: boolean }): Promise<string> {
  const flags = await readFile(join(PROJECT_ROOT, 'services', 'flags', 'flags.json'), 'utf8')
  const today = new Date().toISOString().slice(0, 10)
  const dated = flags
    .replace(/"createdAt": "[^"]*"/, `"createdAt": "${today}"`)
    .replace(/"expiresAt": "[^"]*"/, '"expiresAt": "2099-01-01"')
  repo = await createFixtureRepo(
    { 'scripts/check.sh': 'exit 0\n', 'flags.json': dated, 'app.txt': 'v1\n' },
    GATE,
  )
  if (options.hooks) await installTrunkMergeHooks(repo.dir)
  await repo.commit({ 'app.txt': 'v2\n' }, 'feat: a small change', 'small', 'main')
  await git(repo.dir, ['checkout', '-q', 'main'])
  const { result } = await runGate({ repo: repo.dir, ref: 'small', env: gateTestEnv() })
  expect(result.green, JSON.stringify(result.steps)).toBe(true)
  await mergeWhenGreen({ repo: repo.dir, branch: 'small', env: gateTestEnv() })
  return repo.dir
}

async function judge(dir: string) {
  const ctx = await gradeContext({ repo: dir, env: gateTestEnv() })
  const copies = new RepoCopies()
  try {
    return await judgeGateBlocksRed(ctx, copies)
  } finally {
    await copies.removeAll()
  }
}

describe('criterion 1: a forced red on any blocking step blocks the merge', () => {
  it('forces each blocking step red in a throwaway copy, and both ways of merging are refused', async () => {
    const dir = await repository({ hooks: true })
    const before = await repositoryState(dir)
    const judgement = await judge(dir)
    expect(judgement.status, JSON.stringify(judgement, null, 1)).toBe('pass')
    const demos = judgement.evidence.filter((e) => e.kind === 'demo')
    expect(demos.map((d) => d.ref)).toEqual(['check', 'secrets', 'flags'])
    for (const d of demos) {
      expect(d.detail).toContain('firedrill merge refused; git merge refused; trunk did not move')
      expect(d.detail).toMatch(new RegExp(`gate red \\(${d.ref}\\)`))
    }
    expect(await repositoryState(dir)).toBe(before)
  }, 120_000)

  it('fails when a plain git merge of a forced red goes through (no hook)', async () => {
    const dir = await repository({ hooks: false })
    const judgement = await judge(dir)
    expect(judgement.status).toBe('fail')
    expect(judgement.summary).toContain('did not block the merge')
    expect(judgement.evidence.some((e) => e.detail.includes('git merge WENT THROUGH'))).toBe(true)
    expect(judgement.next).toContain('npx firedrill hook install')
  }, 120_000)

  it('fails when a merge on trunk brought in a head without a green record', async () => {
    const dir = await repository({ hooks: true })
    await repo!.commit({ 'app.txt': 'v3\n' }, 'feat: ungated', 'ungated', 'main')
    await git(dir, ['checkout', '-q', 'main'])
    await git(dir, ['merge', '-q', '--no-ff', '--no-verify', '-m', 'merge around the gate', 'ungated'])
    const judgement = await judge(dir)
    expect(judgement.status).toBe('fail')
    expect(judgement.summary).toContain('1 merge(s) into trunk brought in a head without a green gate record')
  }, 60_000)
})
