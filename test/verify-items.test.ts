import { generateKeyPairSync } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { GateErrorCode } from '../gate/gate-errors.ts'
import { LEDGER_NOTES_REF } from '../gate/ledger/gate-ledger.ts'
import { SIGNING_KEY_ENV } from '../gate/ledger/gate-signer.ts'
import { mergeWhenGreen } from '../gate/merge/merge-when-green.ts'
import { runGate } from '../gate/runner/run-gate.ts'
import { createFixtureRepo, type FixtureRepo, gateTestEnv } from '../gate/testing/fixture-repo.ts'
import type { ItemVerdict } from '../gate/verify/item-verdict.ts'
import { verifyPostmortem } from '../gate/verify/verify-postmortem.ts'
import { git } from '../record/git/git.ts'
import { runCliInProcess } from './support/run-cli.ts'

const GATE = 'version: 1\nsteps:\n  - name: check\n    run: "grep -q good state.txt"\n'
const NOW = new Date('2030-06-15T12:00:00Z')
const env = () => gateTestEnv()

let repo: FixtureRepo | undefined
let scratch: string | undefined
afterEach(async () => {
  await repo?.remove()
  repo = undefined
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true })
  scratch = undefined
})

interface Item {
  id: string
  dueDate: string
  status: string
  [field: string]: unknown
}
const item = (id: string, status = 'done', dueDate = '2030-07-01', type?: string): Item => ({
  ...(type === undefined ? {} : { type }),
  id,
  title: `item ${id}`,
  owner: 'sre-oncall',
  dueDate,
  status,
  priority: 'P1',
  extraFieldFromANewerModel: true,
})

async function postmortemFile(items: Item[], change: unknown = null): Promise<string> {
  scratch = await mkdtemp(join(tmpdir(), 'firedrill-verify-'))
  const file = join(scratch, 'postmortem.json')
  await writeFile(file, JSON.stringify({ schemaVersion: 1, title: 'x', actionItems: items, change }))
  return file
}

async function verify(items: Item[]): Promise<ItemVerdict[]> {
  const file = await postmortemFile(items)
  const result = await verifyPostmortem({
    postmortemFile: file,
    repo: repo!.dir,
    now: NOW,
    replay: false,
    env: env(),
  })
  expect(result.holds).toBe(result.items.every((i) => i.holds))
  return result.items
}

/** A fix branch `fix` whose head carries `message`, with state.txt set to `state`, gated, back on main. */
async function gatedFix(
  message: string,
  state: 'good' | 'bad' = 'good',
  existing?: FixtureRepo,
): Promise<string> {
  repo = existing ?? (await createFixtureRepo({ 'state.txt': 'good\n' }, GATE))
  const head = await repo.commit({ 'state.txt': `${state}\n`, 'fix.txt': 'fixed\n' }, message, 'fix', 'main')
  await repo.commit({}, 'trunk moves on', 'main')
  await runGate({ repo: repo.dir, ref: 'fix', env: env() })
  return head
}

describe('verify action items', () => {
  it('holds an item closed by a trunk commit with "Refs: AI-1" and a green gate record', async () => {
    const head = await gatedFix('fix: reject negative prices\n\nRefs: AI-1')
    await mergeWhenGreen({ repo: repo!.dir, branch: 'fix', env: env() })
    const [done, open] = await verify([item('AI-1'), item('AI-2', 'open')])
    expect(done).toMatchObject({ status: 'done', holds: true, closingCommits: [head], reasons: [] })
    expect(done?.accepted).toEqual({ closingCommit: head, recordCommit: head, via: 'own' })
    expect(open).toMatchObject({ status: 'open', holds: true })
  })

  it('accepts the merged branch head record for a closing commit earlier on the branch', async () => {
    repo = await createFixtureRepo({ 'state.txt': 'good\n' }, GATE)
    const closing = await repo.commit({ 'a.txt': 'a\n' }, 'fix: part one\n\nRefs: AI-3, AI-1', 'fix', 'main')
    const head = await repo.commit({ 'b.txt': 'b\n' }, 'fix: part two', 'fix')
    await repo.commit({}, 'trunk', 'main')
    await runGate({ repo: repo.dir, ref: 'fix', env: env() })
    await mergeWhenGreen({ repo: repo.dir, branch: 'fix', env: env() })
    const [verdict] = await verify([item('AI-1')])
    expect(verdict?.holds).toBe(true)
    expect(verdict?.accepted).toEqual({
      closingCommit: closing,
      recordCommit: head,
      via: 'merged-branch-head',
    })
  })

  it('fails when no trunk commit carries the trailer, even though the fix merged green', async () => {
    await gatedFix('fix: reject negative prices (no trailer)')
    await mergeWhenGreen({ repo: repo!.dir, branch: 'fix', env: env() })
    const [verdict] = await verify([item('AI-1')])
    expect(verdict?.holds).toBe(false)
    expect(verdict?.reasons.map((r) => r.kind)).toEqual(['no-closing-commit'])
  })

  it('does not take a trailer naming a longer id (AI-10) for AI-1', async () => {
    await gatedFix('fix: something\n\nRefs: AI-10')
    await mergeWhenGreen({ repo: repo!.dir, branch: 'fix', env: env() })
    const [one, ten] = await verify([item('AI-1'), item('AI-10')])
    expect(one?.reasons.map((r) => r.kind)).toEqual(['no-closing-commit'])
    expect(ten?.holds).toBe(true)
  })

  it('fails when the closing commit is only on a branch that is not on trunk', async () => {
    const head = await gatedFix('fix: reject negative prices\n\nRefs: AI-1')
    const [verdict] = await verify([item('AI-1')])
    expect(verdict?.holds).toBe(false)
    expect(verdict?.reasons).toEqual([expect.objectContaining({ kind: 'not-on-trunk', commit: head })])
    expect(verdict?.reasons[0]?.text).toContain('fix')
  })

  it('fails when the closing commit on trunk has a red gate record, naming the step', async () => {
    repo = await createFixtureRepo({ 'state.txt': 'good\n' }, GATE)
    const closing = await repo.commit(
      { 'state.txt': 'bad\n' },
      'fix: straight to trunk\n\nRefs: AI-1',
      'main',
    )
    await runGate({ repo: repo.dir, ref: 'main', env: env() })
    const [verdict] = await verify([item('AI-1')])
    expect(verdict?.holds).toBe(false)
    expect(verdict?.reasons).toEqual([expect.objectContaining({ kind: 'red', commit: closing })])
    expect(verdict?.reasons[0]?.text).toContain('check failed')
  })

  it('fails when the closing commit was committed straight to trunk, with no gate record or a green one', async () => {
    repo = await createFixtureRepo({ 'state.txt': 'good\n' }, GATE)
    const ungated = await repo.commit({ 'x.txt': 'x\n' }, 'fix: ungated\n\nRefs: AI-1', 'main')
    const gated = await repo.commit({ 'y.txt': 'y\n' }, 'fix: gated on trunk\n\nRefs: AI-2', 'main')
    await runGate({ repo: repo.dir, ref: 'main', env: env() })
    const [one, two] = await verify([item('AI-1'), item('AI-2')])
    expect(one?.reasons).toEqual([expect.objectContaining({ kind: 'not-merged', commit: ungated })])
    expect(two?.reasons).toEqual([expect.objectContaining({ kind: 'not-merged', commit: gated })])
  })

  it('does not take an empty commit with "Refs:" on trunk as closing an item, though its tree went through the gate green', async () => {
    await gatedFix('fix: reject negative prices\n\nRefs: AI-1')
    await mergeWhenGreen({ repo: repo!.dir, branch: 'fix' })
    // Trunk's tree is the merged branch head's, which has a green record: an empty commit has that same tree.
    const empty = await repo!.commit({}, 'fix: nothing at all\n\nRefs: AI-2', 'main')
    await runGate({ repo: repo!.dir, ref: 'main', env: env() })
    const [done, forged] = await verify([item('AI-1'), item('AI-2')])
    expect(done?.holds).toBe(true)
    expect(forged?.holds).toBe(false)
    expect(forged?.reasons).toEqual([expect.objectContaining({ kind: 'empty-change', commit: empty })])
  })

  it('does not take an empty commit merged through the gate as closing an item either', async () => {
    repo = await createFixtureRepo({ 'state.txt': 'good\n' }, GATE)
    const empty = await repo.commit({}, 'fix: nothing\n\nRefs: AI-1', 'fix', 'main')
    await runGate({ repo: repo.dir, ref: 'fix', env: env() })
    await mergeWhenGreen({ repo: repo.dir, branch: 'fix' })
    const [verdict] = await verify([item('AI-1')])
    expect(verdict?.reasons).toEqual([expect.objectContaining({ kind: 'empty-change', commit: empty })])
  })

  it('holds a prevent item only when its merged change adds or changes a test or a gate step', async () => {
    repo = await createFixtureRepo({ 'state.txt': 'good\n' }, GATE)
    await repo.commit({ 'docs/careful.md': 'be careful\n' }, 'docs: be careful\n\nRefs: AI-1', 'docs', 'main')
    await repo.commit({ 'price.test.mjs': 'process.exit(0)\n' }, 'test: prices\n\nRefs: AI-2', 'test', 'main')
    const stricter = `${GATE}  - name: docs\n    run: "test -d docs || true"\n`
    await repo.commit({ 'firedrill-gate.yaml': stricter }, 'ci: a new step\n\nRefs: AI-3', 'ci', 'main')
    await repo.commit({}, 'trunk', 'main')
    for (const branch of ['docs', 'test', 'ci']) {
      await runGate({ repo: repo.dir, ref: branch, env: env() })
      await mergeWhenGreen({ repo: repo.dir, branch })
    }
    const [docs, test, ci, notPrevent] = await verify([
      item('AI-1', 'done', '2030-07-01', 'prevent'),
      item('AI-2', 'done', '2030-07-01', 'prevent'),
      item('AI-3', 'done', '2030-07-01', 'prevent'),
      item('AI-1', 'done', '2030-07-01', 'process'),
    ])
    expect(docs?.reasons.map((r) => r.kind)).toEqual(['no-test-change'])
    expect(test?.holds).toBe(true)
    expect(ci?.holds).toBe(true)
    expect(notPrevent?.holds).toBe(true)
  }, 60_000)

  it('fails when the merged branch head was gated only by a key trunk does not trust', async () => {
    await gatedFix('fix: reject negative prices\n\nRefs: AI-1')
    // The branch head gets a green record from a key of its own; merge refuses it, so merge by hand.
    const intruder = gateTestEnv({
      [SIGNING_KEY_ENV]: generateKeyPairSync('ed25519')
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
    })
    await runGate({ repo: repo!.dir, ref: 'fix', env: intruder })
    await git(repo!.dir, ['merge', '-q', '--no-ff', '-m', 'merge fix', 'fix'])
    const [verdict] = await verify([item('AI-1')])
    expect(verdict?.reasons).toEqual([expect.objectContaining({ kind: 'untrusted-key' })])
  })

  it('fails when the green record was edited after the run (its signature no longer holds)', async () => {
    repo = await createFixtureRepo({ 'state.txt': 'good\n' }, GATE)
    const closing = await repo.commit({ 'state.txt': 'bad\n' }, 'fix: red, then edited\n\nRefs: AI-1', 'main')
    await runGate({ repo: repo.dir, ref: 'main', env: env() })
    const envelope = JSON.parse(await git(repo.dir, ['notes', '--ref', LEDGER_NOTES_REF, 'show', closing]))
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'))
    statement.predicate.green = true
    statement.predicate.steps[0].status = 'passed'
    envelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64')
    await git(repo.dir, [
      'notes',
      '--ref',
      LEDGER_NOTES_REF,
      'add',
      '-f',
      '-m',
      JSON.stringify(envelope),
      closing,
    ])
    const [verdict] = await verify([item('AI-1')])
    expect(verdict?.holds).toBe(false)
    expect(verdict?.reasons).toEqual([
      expect.objectContaining({ kind: 'signature-invalid', commit: closing }),
    ])
  })

  it('marks an open item past its due date (UTC) overdue, and one due today still open', async () => {
    repo = await createFixtureRepo({ 'state.txt': 'good\n' }, GATE)
    const [late, today] = await verify([
      item('AI-1', 'open', '2030-06-14'),
      item('AI-2', 'open', '2030-06-15'),
    ])
    expect(late).toMatchObject({ status: 'overdue', holds: false })
    expect(late?.reasons.map((r) => r.kind)).toEqual(['overdue'])
    expect(today).toMatchObject({ status: 'open', holds: true })
  })
})

describe('firedrill verify', () => {
  it('exits 0 when every item holds, and prints the table with the loop check skipped', async () => {
    await gatedFix('fix: reject negative prices\n\nRefs: AI-1')
    await mergeWhenGreen({ repo: repo!.dir, branch: 'fix', env: env() })
    const file = await postmortemFile([item('AI-1'), item('AI-2', 'open', '2999-01-01')])
    const { code, stdout } = await runCliInProcess(['verify', file, '--repo', repo!.dir, '--no-replay'])
    expect(code).toBe(0)
    expect(stdout).toMatch(/AI-1\s+2030-07-01\s+done\s+yes/)
    expect(stdout).toMatch(/AI-2\s+2999-01-01\s+open\s+yes/)
    expect(stdout).toContain('loop check: not run')
  })

  it("judges on today's trunk, not on the commit the bad change merged as", async () => {
    repo = await createFixtureRepo({ 'state.txt': 'good\n' }, GATE)
    const merged = await repo.commit({ 'state.txt': 'bad\n' }, 'feat: the change', 'main')
    await gatedFix('fix: reject negative prices\n\nRefs: AI-1', 'good', repo)
    await mergeWhenGreen({ repo: repo.dir, branch: 'fix', env: env() })
    const file = await postmortemFile([item('AI-1')], { commit: merged, trunk: merged })
    const { code, stdout } = await runCliInProcess([
      'verify',
      file,
      '--repo',
      repo.dir,
      '--json',
      '--no-replay',
    ])
    expect(code, stdout).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ holds: true, trunk: 'main' })
  })

  it('exits 1 with each reason in --json when an item falls short', async () => {
    await gatedFix('fix: on a branch only\n\nRefs: AI-1')
    const file = await postmortemFile([item('AI-1'), item('AI-2', 'open', '2000-01-01')])
    const { code, stdout } = await runCliInProcess([
      'verify',
      file,
      '--repo',
      repo!.dir,
      '--json',
      '--no-replay',
    ])
    expect(code).toBe(1)
    const result = JSON.parse(stdout) as { holds: boolean; items: ItemVerdict[] }
    expect(result.holds).toBe(false)
    expect(result.items.map((i) => [i.id, i.status, i.reasons.map((r) => r.kind)])).toEqual([
      ['AI-1', 'done', ['not-on-trunk']],
      ['AI-2', 'overdue', ['overdue']],
    ])
  })

  it('reports the loop check as not possible when the postmortem names no bad change', async () => {
    repo = await createFixtureRepo({ 'state.txt': 'good\n' }, GATE)
    const file = await postmortemFile([item('AI-1', 'open', '2999-01-01')], null)
    const { code, stdout } = await runCliInProcess(['verify', file, '--repo', repo.dir, '--json'])
    expect(code).toBe(1)
    expect(JSON.parse(stdout).loop).toMatchObject({ holds: false, badCommit: null, replayCommit: null })
  })

  it('exits 2 on a missing or unfit postmortem, or a directory that is no repository', async () => {
    repo = await createFixtureRepo({ 'state.txt': 'good\n' }, GATE)
    const fit = await postmortemFile([item('AI-1', 'open', '2999-01-01')])
    const noRepo = await runCliInProcess(['verify', fit, '--repo', scratch!, '--no-replay'])
    expect(noRepo.code).toBe(2)
    await expect(
      verifyPostmortem({ postmortemFile: fit, repo: scratch!, replay: false }),
    ).rejects.toMatchObject({
      code: GateErrorCode.NOT_A_REPOSITORY,
    })
    await rm(scratch!, { recursive: true, force: true })

    const missing = await runCliInProcess(['verify', join(repo.dir, 'nope.json'), '--repo', repo.dir])
    expect(missing.code).toBe(2)
    await expect(
      verifyPostmortem({ postmortemFile: join(repo.dir, 'nope.json'), repo: repo.dir, replay: false }),
    ).rejects.toMatchObject({ code: GateErrorCode.VERIFY_POSTMORTEM_UNREADABLE })

    const unfit = await postmortemFile([{ id: 'AI-1', dueDate: 'soon', status: 'open' }])
    const invalid = await runCliInProcess(['verify', unfit, '--repo', repo.dir])
    expect(invalid.code).toBe(2)
    expect(invalid.stderr).toContain('dueDate')
    await expect(
      verifyPostmortem({ postmortemFile: unfit, repo: repo.dir, replay: false }),
    ).rejects.toMatchObject({
      code: GateErrorCode.VERIFY_POSTMORTEM_INVALID,
    })
  })

  it('--lint-only lints the postmortem without the repository: 1 on problems, 2 when unreadable', async () => {
    const file = await postmortemFile([item('AI-1')])
    const linted = await runCliInProcess(['verify', file, '--lint-only', '--json', '--repo', scratch!])
    expect(linted.code).toBe(1)
    expect(JSON.parse(linted.stdout)).toMatchObject({ ok: false })
    const missing = await runCliInProcess(['verify', join(scratch!, 'nope.json'), '--lint-only'])
    expect(missing.code).toBe(2)
  })
})
