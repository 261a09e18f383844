import { stat } from 'node:fs/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { GateErrorCode } from '../gate/gate-errors.ts'
import { repositoryKeyFile } from '../gate/ledger/gate-key.ts'
import { LEDGER_NOTES_REF, readRecord } from '../gate/ledger/gate-ledger.ts'
import { mergeWhenGreen } from '../gate/merge/merge-when-green.ts'
import { runGate } from '../gate/runner/run-gate.ts'
import { git } from '../gate/sandbox/git.ts'
import { createFixtureRepo, type FixtureRepo } from '../gate/testing/fixture-repo.ts'
import { runCliInProcess } from './support/run-cli.ts'

const GATE = 'version: 1\nsteps:\n  - name: check\n    run: "grep -q good state.txt"\n'
const env = (key?: string) => {
  const e: NodeJS.ProcessEnv = { ...process.env }
  if (key === undefined) delete e.FIREDRILL_GATE_KEY
  else e.FIREDRILL_GATE_KEY = key
  return e
}

let repo: FixtureRepo | undefined
afterEach(async () => {
  await repo?.remove()
  repo = undefined
})

async function refusal(promise: Promise<unknown>): Promise<{ code: string; refusal?: string }> {
  try {
    await promise
  } catch (err) {
    return err as { code: string; refusal?: string }
  }
  throw new Error('expected the merge to be refused')
}

/** A repo with a branch `feature` whose head has been gated. */
async function gatedBranch(state: 'good' | 'bad', key?: string) {
  repo = await createFixtureRepo({ 'state.txt': 'good\n' }, GATE)
  const head = await repo.commit({ 'state.txt': `${state}\n`, 'feature.txt': 'new\n' }, 'feature', 'feature')
  await repo.commit({}, 'back to trunk', 'main')
  const { result } = await runGate({ repo: repo.dir, ref: 'feature', env: env(key) })
  return { head, result }
}

async function editNote(dir: string, commit: string, edit: (record: Record<string, unknown>) => void) {
  const record = JSON.parse(await git(dir, ['notes', '--ref', LEDGER_NOTES_REF, 'show', commit]))
  edit(record)
  await git(dir, ['notes', '--ref', LEDGER_NOTES_REF, 'add', '-f', '-m', JSON.stringify(record), commit])
}

describe('gate ledger', () => {
  it('records each run as a signed note on its commit, with a key kept inside .git', async () => {
    const { head } = await gatedBranch('good')
    const read = await readRecord(repo!.dir, head, env())
    expect(read.valid).toBe(true)
    expect(read.record).toMatchObject({ commit: head, green: true, ref: 'feature', version: 1 })
    expect(read.record?.steps).toEqual([
      expect.objectContaining({ name: 'check', status: 'passed', blocking: true }),
    ])
    const keyFile = await repositoryKeyFile(repo!.dir)
    expect(keyFile).toContain('/.git/')
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600)
    expect(await git(repo!.dir, ['status', '--porcelain'])).toBe('')
  })

  it('rejects a record whose result was edited, in --show and in merge', async () => {
    const { head } = await gatedBranch('bad')
    await editNote(repo!.dir, head, (r) => {
      r.green = true
      ;(r.steps as { status: string }[])[0]!.status = 'passed'
    })
    const read = await readRecord(repo!.dir, head, env())
    expect(read.valid).toBe(false)
    const shown = await runCliInProcess(['gate', '--show', 'feature', '--repo', repo!.dir])
    expect(shown.code).toBe(1)
    expect(shown.stdout).toContain('signature: INVALID')
    const err = await refusal(mergeWhenGreen({ repo: repo!.dir, branch: 'feature', env: env() }))
    expect(err.code).toBe(GateErrorCode.MERGE_REFUSED)
    expect(err.refusal).toBe('signature-invalid')
  })

  it('rejects a record signed with another key', async () => {
    const { head } = await gatedBranch('good', 'a-ci-secret-that-is-long-enough')
    expect((await readRecord(repo!.dir, head, env('a-ci-secret-that-is-long-enough'))).valid).toBe(true)
    expect((await readRecord(repo!.dir, head, env('another-secret-long-enough!!'))).valid).toBe(false)
    expect((await readRecord(repo!.dir, head, env())).valid).toBe(false)
    const err = await refusal(mergeWhenGreen({ repo: repo!.dir, branch: 'feature', env: env() }))
    expect(err.refusal).toBe('signature-invalid')
  })

  it('refuses a key from the environment that is too short to be a secret', async () => {
    repo = await createFixtureRepo({ 'state.txt': 'good\n' }, GATE)
    const err = await refusal(runGate({ repo: repo.dir, env: env('short') }))
    expect(err.code).toBe(GateErrorCode.KEY_INVALID)
  })

  it('shows a valid record and exits 0; exits 1 for a commit with none', async () => {
    await gatedBranch('good')
    const shown = await runCliInProcess(['gate', '--show', 'feature', '--repo', repo!.dir])
    expect(shown.code).toBe(0)
    expect(shown.stdout).toContain('result     GREEN')
    expect(shown.stdout).toContain('signature: valid')
    const none = await runCliInProcess(['gate', '--show', 'main', '--repo', repo!.dir])
    expect(none.code).toBe(1)
    expect(none.stdout).toContain('signature: none')
  })
})

describe('merge only when green', () => {
  it('merges a green branch into trunk with a merge commit', async () => {
    const { head } = await gatedBranch('good')
    const outcome = await mergeWhenGreen({ repo: repo!.dir, branch: 'feature', env: env() })
    expect(outcome.trunk).toBe('main')
    expect(await git(repo!.dir, ['rev-parse', 'main'])).toBe(outcome.mergeCommit)
    expect(await git(repo!.dir, ['rev-parse', `${outcome.mergeCommit}^2`])).toBe(head)
  })

  it('refuses a red branch, naming the red steps, and leaves trunk where it was', async () => {
    await gatedBranch('bad')
    const before = await git(repo!.dir, ['rev-parse', 'main'])
    const { code, stderr } = await runCliInProcess(['merge', 'feature', '--repo', repo!.dir])
    expect(code).toBe(1)
    expect(stderr).toContain('check failed')
    expect(await git(repo!.dir, ['rev-parse', 'main'])).toBe(before)
  })

  it('refuses a branch whose head was never gated, even when an ancestor was', async () => {
    await gatedBranch('good')
    await repo!.commit({ 'more.txt': 'later\n' }, 'ungated', 'feature')
    await repo!.commit({}, 'trunk', 'main')
    const err = await refusal(mergeWhenGreen({ repo: repo!.dir, branch: 'feature', env: env() }))
    expect(err.refusal).toBe('no-record')
  })

  it('accepts a green record on another commit with the very same tree', async () => {
    const { head } = await gatedBranch('good')
    // The same change again, as a different commit (another message): same tree, no record of its own.
    await git(repo!.dir, ['checkout', '-q', '-b', 'again', 'main'])
    await git(repo!.dir, ['cherry-pick', head])
    await git(repo!.dir, ['commit', '-q', '--amend', '-m', 'feature, reworded'])
    await git(repo!.dir, ['checkout', '-q', 'main'])
    const outcome = await mergeWhenGreen({ repo: repo!.dir, branch: 'again', env: env() })
    expect(outcome.recordCommit).toBe(head)
  })

  it('refuses to merge into a work tree with uncommitted changes', async () => {
    await gatedBranch('good')
    await repo!.write({ 'state.txt': 'edited\n' })
    const err = await refusal(mergeWhenGreen({ repo: repo!.dir, branch: 'feature', env: env() }))
    expect(err.code).toBe(GateErrorCode.MERGE_WORKTREE_DIRTY)
  })
})
