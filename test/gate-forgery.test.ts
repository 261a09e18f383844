import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mergeWhenGreen } from '../gate/merge/merge-when-green.ts'
import { runGate } from '../gate/runner/run-gate.ts'
import { createFixtureRepo, type FixtureRepo, gateTestEnv } from '../gate/testing/fixture-repo.ts'
import { type ForgeReport, runForgeAttempts, tryForgeGreen } from '../gate/testing/forge-attempts.ts'
import { forgeWith, readNote, writeNote } from '../gate/testing/forge-records.ts'
import { git } from '../record/git/git.ts'

let repo: FixtureRepo | undefined
let report: ForgeReport
const attempt = (name: string) => report.attempts.find((a) => a.name === name)

beforeAll(async () => {
  repo = await createFixtureRepo(
    { 'README.md': 'a repository to forge records in\n' },
    'version: 1\nsteps:\n  - name: ok\n    run: "true"\n',
  )
  report = await runForgeAttempts(repo.dir, { env: gateTestEnv() })
}, 180_000)
afterAll(async () => {
  await repo?.remove()
})

describe('forging a green record', () => {
  it('gets nothing from a step or unit test in the change that hunts for the signing key', () => {
    expect(attempt('steal-key')).toMatchObject({
      accepted: false,
      detail: 'the change’s code found no key to sign with',
    })
  })

  it('gets nowhere by deleting the blocking steps from the change’s own gate file', () => {
    expect(attempt('weaken-gate')).toMatchObject({
      accepted: false,
      detail: expect.stringContaining('(red)'),
    })
  })

  it('gets nowhere by naming its own branch trunk', () => {
    expect(attempt('trunk-from-branch')?.accepted).toBe(false)
  })

  it('is refused, as untrusted, when signed with the attacker’s own key and a public key committed beside it', () => {
    expect(attempt('own-key')).toMatchObject({
      accepted: false,
      detail: expect.stringContaining('(untrusted-key)'),
    })
  })

  it('is refused when a real record is borrowed or edited', () => {
    expect(attempt('borrow-record')?.accepted).toBe(false)
    expect(attempt('edit-record')).toMatchObject({
      accepted: false,
      detail: expect.stringContaining('(signature-invalid)'),
    })
  })

  it('cannot close an item with an empty commit, or a prevent item without a test', () => {
    expect(attempt('empty-closing-commit')).toMatchObject({
      accepted: false,
      detail: expect.stringContaining('changes nothing'),
    })
    expect(attempt('prevent-without-test')).toMatchObject({
      accepted: false,
      detail: expect.stringContaining('no test'),
    })
  })

  it('is accepted 0 times in all', () => {
    expect(report.attempts.map((a) => a.name)).toHaveLength(8)
    expect(report.forged).toBe(0)
  })

  it('would be accepted with the key itself: the attacks are real, the key is what stops them', async () => {
    const head = await repo!.commit({ FORGED: 'x\n' }, 'feat: forged', 'forged', 'main')
    await repo!.commit({}, 'trunk', 'main')
    const honest = await repo!.commit({ 'honest.txt': 'x\n' }, 'feat: honest', 'honest', 'main')
    await runGate({ repo: repo!.dir, ref: 'honest', env: gateTestEnv() })
    const template = await readNote(repo!.dir, honest)
    const tree = await git(repo!.dir, ['rev-parse', `${head}^{tree}`])
    await writeNote(
      repo!.dir,
      head,
      forgeWith(template!, { commit: head, tree }, gateTestEnv().FIREDRILL_GATE_SIGNING_KEY!)!,
    )
    await expect(mergeWhenGreen({ repo: repo!.dir, branch: 'forged' })).resolves.toMatchObject({
      branchHead: head,
    })
  })
})

describe('tryForgeGreen', () => {
  it('refuses to report 0 from a repository whose trunk does not trust this signer (0 would prove nothing)', async () => {
    const untrusting = await createFixtureRepo({}, 'version: 1\nsteps:\n  - name: ok\n    run: "true"\n', {
      trust: false,
    })
    try {
      await expect(tryForgeGreen(untrusting.dir, { env: gateTestEnv() })).rejects.toThrow(
        /honest change was refused/,
      )
    } finally {
      await untrusting.remove()
    }
  }, 60_000)
})
