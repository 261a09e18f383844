import { generateKeyPairSync } from 'node:crypto'
import { access, chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { GateErrorCode } from '../gate/gate-errors.ts'
import { LEDGER_NOTES_REF, readRecord } from '../gate/ledger/gate-ledger.ts'
import { loadGateSigner, SIGNING_KEY_ENV } from '../gate/ledger/gate-signer.ts'
import { GATE_PREDICATE_TYPE, IN_TOTO_STATEMENT_TYPE } from '../gate/ledger/gate-statement.ts'
import { loadTrustedKeys, TRUSTED_KEYS_FILE } from '../gate/ledger/trusted-keys.ts'
import { mergeWhenGreen } from '../gate/merge/merge-when-green.ts'
import { runGate } from '../gate/runner/run-gate.ts'
import { createFixtureRepo, type FixtureRepo, gateTestEnv } from '../gate/testing/fixture-repo.ts'
import { git } from '../record/git/git.ts'
import { runCliInProcess } from './support/run-cli.ts'

const GATE = 'version: 1\nsteps:\n  - name: check\n    run: "grep -q good state.txt"\n'
const env = () => gateTestEnv()
/** Another signer: a key trunk's firedrill-gate.pub does not list. */
const otherEnv = () =>
  gateTestEnv({
    [SIGNING_KEY_ENV]: generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString(),
  })

let repo: FixtureRepo | undefined
let scratch: string | undefined
afterEach(async () => {
  vi.unstubAllEnvs()
  await repo?.remove()
  repo = undefined
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true })
  scratch = undefined
})

async function refusal(
  promise: Promise<unknown>,
): Promise<{ code: string; refusal?: string; message: string }> {
  try {
    await promise
  } catch (err) {
    return err as { code: string; refusal?: string; message: string }
  }
  throw new Error('expected a refusal')
}

/** A repo with a branch `feature` whose head has been gated (by `gateEnv`'s signer). */
async function gatedBranch(state: 'good' | 'bad', gateEnv = env()) {
  repo = await createFixtureRepo({ 'state.txt': 'good\n' }, GATE)
  const head = await repo.commit({ 'state.txt': `${state}\n`, 'feature.txt': 'new\n' }, 'feature', 'feature')
  await repo.commit({}, 'back to trunk', 'main')
  const { result } = await runGate({ repo: repo.dir, ref: 'feature', env: gateEnv })
  return { head, result }
}

const trust = () => loadTrustedKeys(repo!.dir, 'main')
const note = async (commit: string) =>
  JSON.parse(await git(repo!.dir, ['notes', '--ref', LEDGER_NOTES_REF, 'show', commit]))

describe('gate ledger', () => {
  it('records each run as an in-toto statement in a DSSE envelope, signed by a key trunk lists, with no secret in the repository', async () => {
    const { head, result } = await gatedBranch('good')
    const envelope = await note(head)
    expect(envelope.payloadType).toBe('application/vnd.in-toto+json')
    const signer = await loadGateSigner(env())
    expect(envelope.signatures).toEqual([{ keyid: signer.keyid, sig: expect.any(String) }])
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'))
    expect(statement).toMatchObject({
      _type: IN_TOTO_STATEMENT_TYPE,
      predicateType: GATE_PREDICATE_TYPE,
      subject: [
        { name: 'commit', digest: { gitCommit: head } },
        { name: 'tree', digest: { gitTree: result.tree } },
      ],
      predicate: { green: true, ref: 'feature', policy: { trunk: 'main', file: 'firedrill-gate.yaml' } },
    })
    const read = await readRecord(repo!.dir, head, await trust())
    expect(read.valid).toBe(true)
    expect(read.record).toMatchObject({ commit: head, green: true, version: 2, signer: signer.keyid })
    expect(await git(repo!.dir, ['show', `main:${TRUSTED_KEYS_FILE}`])).toContain(signer.keyid)
    await expect(access(join(repo!.dir, '.git', 'firedrill'))).rejects.toThrow()
    expect(await git(repo!.dir, ['status', '--porcelain'])).toBe('')
  })

  it('rejects a record whose result was edited, in --show and in merge', async () => {
    const { head } = await gatedBranch('bad')
    const envelope = await note(head)
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'))
    statement.predicate.green = true
    statement.predicate.steps[0].status = 'passed'
    envelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64')
    await git(repo!.dir, [
      'notes',
      '--ref',
      LEDGER_NOTES_REF,
      'add',
      '-f',
      '-m',
      JSON.stringify(envelope),
      head,
    ])
    const read = await readRecord(repo!.dir, head, await trust())
    expect(read).toMatchObject({ valid: false, kind: 'signature-invalid' })
    const shown = await runCliInProcess(['gate', '--show', 'feature', '--repo', repo!.dir])
    expect(shown.code).toBe(1)
    expect(shown.stdout).toContain('signature: INVALID')
    const err = await refusal(mergeWhenGreen({ repo: repo!.dir, branch: 'feature' }))
    expect(err.code).toBe(GateErrorCode.MERGE_REFUSED)
    expect(err.refusal).toBe('signature-invalid')
  })

  it('refuses a green record signed by a key trunk does not trust, and says so', async () => {
    const { head } = await gatedBranch('good', otherEnv())
    const read = await readRecord(repo!.dir, head, await trust())
    expect(read).toMatchObject({ valid: false, kind: 'untrusted-key' })
    const err = await refusal(mergeWhenGreen({ repo: repo!.dir, branch: 'feature' }))
    expect(err.refusal).toBe('untrusted-key')
    expect(err.message).toContain('which trunk does not trust')
    const shown = await runCliInProcess(['gate', '--show', 'feature', '--repo', repo!.dir])
    expect(shown.stdout).toContain('which trunk does not trust')
  })

  it('gains a branch nothing to trust its own key: trunk’s firedrill-gate.pub decides', async () => {
    repo = await createFixtureRepo({ 'state.txt': 'good\n' }, GATE)
    const intruder = otherEnv()
    const { publicKey } = await loadGateSigner(intruder)
    await repo.commit(
      { [TRUSTED_KEYS_FILE]: publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'x.txt': 'x\n' },
      'chore: trust me',
      'feature',
    )
    await repo.commit({}, 'trunk', 'main')
    await runGate({ repo: repo.dir, ref: 'feature', env: intruder })
    const err = await refusal(mergeWhenGreen({ repo: repo.dir, branch: 'feature' }))
    expect(err.refusal).toBe('untrusted-key')
  })

  it('refuses a record judged by another gate file than trunk’s, as trunk stands now', async () => {
    await gatedBranch('good')
    await repo!.commit(
      { 'firedrill-gate.yaml': `${GATE}  - name: more\n    run: "true"\n` },
      'ci: stricter',
      'main',
    )
    const err = await refusal(mergeWhenGreen({ repo: repo!.dir, branch: 'feature' }))
    expect(err.refusal).toBe('stale-gate-file')
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

describe('the signing key', () => {
  it('is, without FIREDRILL_GATE_SIGNING_KEY, a per-user key file made on first use: mode 0600, outside the repository', async () => {
    scratch = await mkdtemp(join(tmpdir(), 'firedrill-keys-'))
    const keyEnv = gateTestEnv({ XDG_CONFIG_HOME: scratch })
    delete keyEnv[SIGNING_KEY_ENV]
    repo = await createFixtureRepo({ 'state.txt': 'good\n' }, GATE, { trust: keyEnv })
    const { record } = await runGate({ repo: repo.dir, env: keyEnv })
    const file = join(scratch, 'firedrill', 'gate-signing-key.pem')
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect((await stat(join(scratch, 'firedrill'))).mode & 0o777).toBe(0o700)
    expect(await readFile(file, 'utf8')).toContain('BEGIN PRIVATE KEY')
    expect(record?.signer).toBe((await loadGateSigner(keyEnv)).keyid)
    expect((await readRecord(repo.dir, record!.commit, await trust())).valid).toBe(true)
  })

  it('refuses a key file others may read, one inside the repository, the retired HMAC variable, and a key that is not Ed25519', async () => {
    scratch = await mkdtemp(join(tmpdir(), 'firedrill-keys-'))
    const keyEnv = gateTestEnv({ XDG_CONFIG_HOME: scratch })
    delete keyEnv[SIGNING_KEY_ENV]
    const file = (await loadGateSigner(keyEnv)).file!
    await chmod(file, 0o644)
    await expect(loadGateSigner(keyEnv)).rejects.toMatchObject({ code: GateErrorCode.KEY_INVALID })
    await expect(
      loadGateSigner({ ...keyEnv, XDG_CONFIG_HOME: join(scratch, 'repo') }, scratch),
    ).rejects.toMatchObject({
      code: GateErrorCode.KEY_INVALID,
    })
    await expect(
      loadGateSigner(gateTestEnv({ FIREDRILL_GATE_KEY: 'a-ci-secret-that-is-long-enough' })),
    ).rejects.toMatchObject({
      code: GateErrorCode.KEY_INVALID,
    })
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    })
    await expect(loadGateSigner(gateTestEnv({ [SIGNING_KEY_ENV]: rsa.toString() }))).rejects.toMatchObject({
      code: GateErrorCode.KEY_INVALID,
    })
    repo = await createFixtureRepo({ 'state.txt': 'good\n' }, GATE)
    vi.stubEnv('FIREDRILL_GATE_KEY', 'a-ci-secret-that-is-long-enough')
    const retired = await runCliInProcess(['gate', '--repo', repo.dir])
    expect(retired.code).toBe(2)
    expect(retired.stderr).toContain('FIREDRILL_GATE_KEY')
  })

  it('--public-key prints the lines that make trunk trust the records it signs', async () => {
    vi.stubEnv(SIGNING_KEY_ENV, gateTestEnv()[SIGNING_KEY_ENV] ?? '')
    const { code, stdout } = await runCliInProcess(['gate', '--public-key'])
    expect(code).toBe(0)
    const signer = await loadGateSigner(gateTestEnv())
    expect(stdout).toContain(`# firedrill gate signer ${signer.keyid}`)
    expect(stdout).toContain('-----BEGIN PUBLIC KEY-----')
  })
})

describe('merge only when green', () => {
  it('merges a green branch into trunk with a merge commit', async () => {
    const { head } = await gatedBranch('good')
    const outcome = await mergeWhenGreen({ repo: repo!.dir, branch: 'feature' })
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
    const err = await refusal(mergeWhenGreen({ repo: repo!.dir, branch: 'feature' }))
    expect(err.refusal).toBe('no-record')
  })

  it('accepts a green record on another commit with the very same tree', async () => {
    const { head } = await gatedBranch('good')
    // The same change again, as a different commit (another message): same tree, no record of its own.
    await git(repo!.dir, ['checkout', '-q', '-b', 'again', 'main'])
    await git(repo!.dir, ['cherry-pick', head])
    await git(repo!.dir, ['commit', '-q', '--amend', '-m', 'feature, reworded'])
    await git(repo!.dir, ['checkout', '-q', 'main'])
    const outcome = await mergeWhenGreen({ repo: repo!.dir, branch: 'again' })
    expect(outcome.recordCommit).toBe(head)
  })

  it('refuses to merge into a work tree with uncommitted changes', async () => {
    await gatedBranch('good')
    await repo!.write({ 'state.txt': 'edited\n' })
    const err = await refusal(mergeWhenGreen({ repo: repo!.dir, branch: 'feature' }))
    expect(err.code).toBe(GateErrorCode.MERGE_WORKTREE_DIRTY)
    // The file named whole (a modified file's status line starts with a space).
    expect(err.message).toContain('state.txt')
  })
})
