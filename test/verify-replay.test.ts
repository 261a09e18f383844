import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { readRecord } from '../gate/ledger/gate-ledger.ts'
import { loadTrustedKeys } from '../gate/ledger/trusted-keys.ts'
import { createFixtureRepo, type FixtureRepo, gateTestEnv } from '../gate/testing/fixture-repo.ts'
import { REPLAY_REF_PREFIX, replayBadChange } from '../gate/verify/replay-bad-change.ts'
import { verifyPostmortem } from '../gate/verify/verify-postmortem.ts'
import { git } from '../record/git/git.ts'
import { runCliInProcess } from './support/run-cli.ts'

/** The gate runs every file under test/ (none at first): a fix that adds a test makes the gate stricter. */
const GATE =
  'version: 1\nsteps:\n  - name: build\n    run: "node src/price.mjs"\n  - name: tests\n    run: "node run-tests.mjs"\n'
const RUN_TESTS = `import { existsSync, readdirSync } from 'node:fs'
if (existsSync('test')) for (const f of readdirSync('test')) await import(\`./test/\${f}\`)
`
const PRICE = (n: number) => `export const price = () => ${n}\n`
const PRICE_TEST = `import { price } from '../src/price.mjs'
if (price() < 0) { console.error('price is negative'); process.exit(1) }
`
const env = () => gateTestEnv()

let repo: FixtureRepo | undefined
let scratch: string | undefined
afterEach(async () => {
  await repo?.remove()
  repo = undefined
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true })
  scratch = undefined
})

/** Trunk holds the bad change (price goes negative, plus a doc), then a fix (with or without a test). */
async function drilledRepo(fixAddsTest: boolean): Promise<{ bad: string; fix: string }> {
  repo = await createFixtureRepo({ 'src/price.mjs': PRICE(10), 'run-tests.mjs': RUN_TESTS }, GATE)
  const bad = await repo.commit(
    { 'src/price.mjs': PRICE(-1), 'docs/discount.md': 'discounts\n', 'test/old.test.mjs': '' },
    'feat: discount everything',
    'main',
  )
  const fix = await repo.commit(
    {
      'src/price.mjs': PRICE(10),
      'docs/discount.md': null,
      'test/old.test.mjs': null,
      ...(fixAddsTest ? { 'test/price.test.mjs': PRICE_TEST } : {}),
    },
    'fix: prices never go negative',
    'main',
  )
  return { bad, fix }
}

async function postmortemFile(change: unknown): Promise<string> {
  scratch = await mkdtemp(join(tmpdir(), 'firedrill-verify-'))
  const file = join(scratch, 'postmortem.json')
  const items = [{ id: 'AI-1', dueDate: '2999-01-01', status: 'open' }]
  await writeFile(file, JSON.stringify({ actionItems: items, change }))
  return file
}

describe('replay of the bad change', () => {
  it('is red when the fix added a test the bad code fails, and names the step that stopped it', async () => {
    const { bad, fix } = await drilledRepo(true)
    const before = await git(repo!.dir, ['rev-parse', 'HEAD'])
    const outcome = await replayBadChange({ repo: repo!.dir, trunk: 'main', badCommit: bad, env: env() })
    expect(outcome.green).toBe(false)
    expect(outcome.blockedBy).toEqual(['tests'])
    expect(outcome.trunkCommit).toBe(fix)
    expect(outcome.replayed.sort()).toEqual(['docs/discount.md', 'src/price.mjs'])
    // The replay is trunk plus the bad code: trunk's new test stays, the bad change's test file is not put back.
    const r = outcome.replayCommit
    expect(await git(repo!.dir, ['rev-parse', `${r}^`])).toBe(fix)
    expect(await git(repo!.dir, ['show', `${r}:src/price.mjs`])).toBe(PRICE(-1).trim())
    expect(await git(repo!.dir, ['show', `${r}:test/price.test.mjs`])).toBe(PRICE_TEST.trim())
    expect(await git(repo!.dir, ['ls-tree', '--name-only', '-r', r])).not.toContain('test/old.test.mjs')
    // The user's checkout, index and branches are as they were; nothing recorded, no worktree left.
    expect(await git(repo!.dir, ['rev-parse', 'HEAD'])).toBe(before)
    expect(await git(repo!.dir, ['status', '--porcelain'])).toBe('')
    expect((await git(repo!.dir, ['worktree', 'list'])).split('\n')).toHaveLength(1)
    expect((await readRecord(repo!.dir, r, await loadTrustedKeys(repo!.dir, 'main'))).present).toBe(false)
  })

  it('records the replay and keeps its commit under a ref only when asked', async () => {
    const { bad } = await drilledRepo(true)
    const outcome = await replayBadChange({
      repo: repo!.dir,
      trunk: 'main',
      badCommit: bad,
      env: env(),
      record: true,
    })
    expect(await git(repo!.dir, ['rev-parse', `${REPLAY_REF_PREFIX}${outcome.replayCommit}`])).toBe(
      outcome.replayCommit,
    )
    expect(
      (await readRecord(repo!.dir, outcome.replayCommit, await loadTrustedKeys(repo!.dir, 'main'))).record
        ?.green,
    ).toBe(false)
  })

  it('holds the loop in verify: exit 0, and the table names the step that stopped the replay', async () => {
    const { bad } = await drilledRepo(true)
    const file = await postmortemFile({ branch: 'bad', commit: bad, trunk: 'main' })
    const { code, stdout } = await runCliInProcess(['verify', file, '--repo', repo!.dir])
    expect(code).toBe(0)
    expect(stdout).toMatch(/loop check: holds: .* stopped by tests/)
  })

  it('fails the loop check when the fix added no test, so the replay goes green', async () => {
    const { bad } = await drilledRepo(false)
    const file = await postmortemFile({ branch: 'bad', commit: bad, trunk: 'main' })
    const result = await verifyPostmortem({ postmortemFile: file, repo: repo!.dir, env: env() })
    expect(result.holds).toBe(false)
    expect(result.items.every((i) => i.holds)).toBe(true)
    expect(result.loop).toMatchObject({ holds: false, blockedBy: [] })
    expect(result.loop?.replay?.green).toBe(true)
    const { code, stdout } = await runCliInProcess(['verify', file, '--repo', repo!.dir, '--json'])
    expect(code).toBe(1)
    expect(JSON.parse(stdout).loop.holds).toBe(false)
  })

  it('fails the loop check when trunk still holds the bad code, even though the replay is red', async () => {
    repo = await createFixtureRepo({ 'src/price.mjs': PRICE(10), 'run-tests.mjs': RUN_TESTS }, GATE)
    const bad = await repo.commit(
      { 'src/price.mjs': PRICE(-1), 'test/price.test.mjs': PRICE_TEST },
      'feat: discount everything',
      'main',
    )
    const file = await postmortemFile({ commit: bad })
    const result = await verifyPostmortem({ postmortemFile: file, repo: repo.dir, env: env() })
    expect(result.loop?.replay).toMatchObject({ green: false, sameAsTrunk: true })
    expect(result.loop?.holds).toBe(false)
    expect(result.holds).toBe(false)
  })
})
