import { execFile } from 'node:child_process'
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { GateErrorCode } from '../gate/gate-errors.ts'
import { mergeWhenGreen } from '../gate/merge/merge-when-green.ts'
import { installTrunkMergeHooks } from '../gate/merge/trunk-merge-hook.ts'
import { runGate } from '../gate/runner/run-gate.ts'
import { createSandboxRepo } from '../gate/sandbox/sandbox-repo.ts'
import { createFixtureRepo, type FixtureRepo, gateTestEnv } from '../gate/testing/fixture-repo.ts'
import { FIREDRILL_GIT_IDENTITY, git } from '../record/git/git.ts'
import { runCliInProcess } from './support/run-cli.ts'

const GATE = 'version: 1\nsteps:\n  - name: check\n    run: "grep -q good state.txt"\n'

/** A person's `git merge` (or `git commit`): the real git, its hooks and all; never throws. */
async function person(dir: string, args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await promisify(execFile)('git', args, { cwd: dir, env: { ...gateTestEnv(), ...FIREDRILL_GIT_IDENTITY } })
    return { code: 0, stderr: '' }
  } catch (err) {
    const e = err as { code?: number; stderr?: string }
    return { code: typeof e.code === 'number' ? e.code : 1, stderr: e.stderr ?? '' }
  }
}

let repo: FixtureRepo | undefined
let scratch: string | undefined
afterEach(async () => {
  await repo?.remove()
  repo = undefined
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true })
  scratch = undefined
})

/** A repository with the hooks, and a branch `feature` one commit ahead of main, holding `state`. */
async function withFeature(state: 'good' | 'bad'): Promise<{ dir: string; trunk: string; head: string }> {
  repo = await createFixtureRepo({ 'state.txt': 'good\n' }, GATE)
  await installTrunkMergeHooks(repo.dir)
  const head = await repo.commit({ 'state.txt': `${state}\n` }, 'feat: a small change', 'feature', 'main')
  await git(repo.dir, ['checkout', '-q', 'main'])
  return { dir: repo.dir, trunk: await git(repo.dir, ['rev-parse', 'main']), head }
}

describe('the trunk merge hook', () => {
  it('refuses a plain git merge into trunk of a head with no gate record, and trunk does not move', async () => {
    // Regression: a plain `git merge` into trunk went around the gate (it fast-forwarded, no check ran).
    const { dir, trunk } = await withFeature('good')
    const merge = await person(dir, ['merge', 'feature'])
    expect(merge.code).not.toBe(0)
    expect(merge.stderr).toContain('refused: merging feature')
    expect(merge.stderr).toContain('no gate record')
    expect(await git(dir, ['rev-parse', 'main'])).toBe(trunk)
  }, 30_000)

  it('refuses a head whose gate went red, and refuses committing that merge by hand', async () => {
    const { dir, trunk } = await withFeature('bad')
    const { result } = await runGate({ repo: dir, ref: 'feature', env: gateTestEnv() })
    expect(result.green).toBe(false)
    const merge = await person(dir, ['merge', 'feature'])
    expect(merge.code).not.toBe(0)
    expect(merge.stderr).toContain('the gate is red (check failed)')
    const commit = await person(dir, ['commit', '-m', 'merge it anyway'])
    expect(commit.code).not.toBe(0)
    expect(await git(dir, ['rev-parse', 'main'])).toBe(trunk)
  }, 30_000)

  it('lets a green head through, by git merge and by firedrill merge, as a merge commit', async () => {
    const { dir, trunk, head } = await withFeature('good')
    await runGate({ repo: dir, ref: 'feature', env: gateTestEnv() })
    expect((await person(dir, ['merge', 'feature'])).code).toBe(0)
    expect(await git(dir, ['rev-parse', 'main^1', 'main^2'])).toBe(`${trunk}\n${head}`)
    const next = await repo!.commit({ 'more.txt': 'x\n' }, 'feat: more', 'more', 'main')
    await git(dir, ['checkout', '-q', 'main'])
    await runGate({ repo: dir, ref: 'more', env: gateTestEnv() })
    const merged = await mergeWhenGreen({ repo: dir, branch: 'more', env: gateTestEnv() })
    expect(merged.branchHead).toBe(next)
  }, 40_000)

  it('leaves merges into other branches alone', async () => {
    const { dir } = await withFeature('good')
    await git(dir, ['checkout', '-q', '-b', 'topic', 'main'])
    expect((await person(dir, ['merge', '--no-ff', '-m', 'take feature', 'feature'])).code).toBe(0)
  }, 30_000)

  it("never overwrites a repository's own hook, and installs again over its own", async () => {
    repo = await createFixtureRepo({ 'state.txt': 'good\n' }, GATE)
    await installTrunkMergeHooks(repo.dir)
    const again = await runCliInProcess(['hook', 'install', '--repo', repo.dir])
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toContain('a merge into main needs a green gate record on the branch head')
    await writeFile(join(repo.dir, '.git', 'hooks', 'pre-commit'), '#!/bin/sh\nexit 0\n')
    await expect(installTrunkMergeHooks(repo.dir)).rejects.toMatchObject({
      code: GateErrorCode.MERGE_HOOK_EXISTS,
    })
  })

  it("is installed in every drill's sandbox repository", async () => {
    scratch = await mkdtemp(join(tmpdir(), 'firedrill-hook-sandbox-'))
    const sandbox = await createSandboxRepo(join(scratch, 'shop'))
    await access(join(sandbox.dir, '.git', 'hooks', 'pre-merge-commit'))
    expect(await git(sandbox.dir, ['config', '--get', 'branch.main.mergeOptions'])).toBe('--no-ff')
  })
})
