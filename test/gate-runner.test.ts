import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { GateErrorCode } from '../gate/gate-errors.ts'
import { SIGNING_KEY_ENV } from '../gate/ledger/gate-signer.ts'
import { mergeWhenGreen } from '../gate/merge/merge-when-green.ts'
import { gateJunitXml } from '../gate/report/gate-junit.ts'
import { runGate } from '../gate/runner/run-gate.ts'
import { createFixtureRepo, type FixtureRepo, gateTestEnv } from '../gate/testing/fixture-repo.ts'
import { git } from '../record/git/git.ts'
import { testRedisUrl } from './support/redis-sandbox.ts'
import { runCliInProcess } from './support/run-cli.ts'

const fail = 'node -e "process.exit(1)"'
let repo: FixtureRepo | undefined
// The command line signs with this process's environment: the test signer, never the developer's key file.
beforeEach(() => {
  vi.stubEnv(SIGNING_KEY_ENV, gateTestEnv()[SIGNING_KEY_ENV] ?? '')
})
afterEach(async () => {
  vi.unstubAllEnvs()
  await repo?.remove()
  repo = undefined
})

const env = () => gateTestEnv({ REDIS_URL: testRedisUrl() })

describe('gate runner', () => {
  it('is green when every blocking step passes, and reports each step', async () => {
    repo = await createFixtureRepo(
      {},
      `version: 1\nsteps:\n  - name: ok\n    run: "echo fine"\n  - name: after\n    run: "true"\n    needs: [ok]\n`,
    )
    const { result, record } = await runGate({ repo: repo.dir, env: env() })
    expect(result.green).toBe(true)
    expect(result.steps.map((s) => [s.name, s.status])).toEqual([
      ['ok', 'passed'],
      ['after', 'passed'],
    ])
    expect(result.steps[0]?.outputTail).toBe('fine')
    expect(record?.green).toBe(true)
  })

  it('is red when a blocking step fails, and skips the steps that need it', async () => {
    repo = await createFixtureRepo(
      {},
      `version: 1\nsteps:\n  - name: bad\n    run: '${fail}'\n  - name: after\n    run: "true"\n    needs: [bad]\n  - name: other\n    run: "true"\n`,
    )
    const { result } = await runGate({ repo: repo.dir, env: env() })
    expect(result.green).toBe(false)
    expect(result.steps.map((s) => s.status)).toEqual(['failed', 'skipped', 'passed'])
  })

  it('stays green when only a non-blocking step fails', async () => {
    repo = await createFixtureRepo(
      {},
      `version: 1\nsteps:\n  - name: advisory\n    run: '${fail}'\n    blocking: false\n  - name: ok\n    run: "true"\n`,
    )
    const { result } = await runGate({ repo: repo.dir, env: env() })
    expect(result.steps[0]?.status).toBe('failed')
    expect(result.green).toBe(true)
  })

  it('stops a step at its timeout, with its children, and counts it red', async () => {
    repo = await createFixtureRepo(
      {},
      'version: 1\nsteps:\n  - name: slow\n    run: "sleep 30 & sleep 30"\n    timeout: 300ms\n',
    )
    const t0 = Date.now()
    const { result } = await runGate({ repo: repo.dir, env: env() })
    expect(result.steps[0]?.status).toBe('timed-out')
    expect(result.green).toBe(false)
    expect(Date.now() - t0).toBeLessThan(10_000)
  })

  it('leaves no worktree behind, green, red, or stopped before its steps', async () => {
    repo = await createFixtureRepo({}, `version: 1\nsteps:\n  - name: bad\n    run: '${fail}'\n`)
    const worktrees = async () =>
      (await git(repo!.dir, ['worktree', 'list', '--porcelain']))
        .split('\n')
        .filter((l) => l.startsWith('worktree '))
    await runGate({ repo: repo.dir, env: env() })
    expect(await worktrees()).toHaveLength(1)
    // The checkout is made while trunk's gate file is read: a gate file that stops the run still takes it away.
    await repo.commit({ 'firedrill-gate.yaml': 'version: 1\nsteps: []\n' }, 'ci: an empty gate')
    await expect(runGate({ repo: repo.dir, env: env() })).rejects.toMatchObject({
      code: GateErrorCode.GATE_FILE_INVALID,
    })
    expect(await worktrees()).toHaveLength(1)
  })

  it('exits 2 for a ref that names no commit', async () => {
    repo = await createFixtureRepo({}, 'version: 1\nsteps:\n  - name: ok\n    run: "true"\n')
    const { code, stderr } = await runCliInProcess(['gate', '--repo', repo.dir, '--ref', 'no-such-branch'])
    expect(code).toBe(2)
    expect(stderr).toContain('"no-such-branch" names no commit')
  })

  it('runs independent steps in parallel', async () => {
    repo = await createFixtureRepo(
      {},
      'version: 1\nsteps:\n  - name: left\n    run: "sleep 0.2"\n  - name: right\n    run: "sleep 0.2"\n',
    )
    const events: string[] = []
    const { result } = await runGate({
      repo: repo.dir,
      env: env(),
      onEvent: (e) =>
        events.push(e.type === 'step-started' ? `start ${e.step.name}` : `end ${e.result.name}`),
    })
    expect(result.steps.map((s) => s.status)).toEqual(['passed', 'passed'])
    // Both started before either finished.
    expect(events.slice(0, 2)).toEqual(['start left', 'start right'])
  })
})

describe('the gate sees only the commit', () => {
  const gate = 'version: 1\nsteps:\n  - name: check\n    run: "grep -q good state.txt"\n'

  it('stays green on HEAD when the work tree holds an uncommitted breaking change', async () => {
    repo = await createFixtureRepo({ 'state.txt': 'good\n' }, gate)
    await repo.write({ 'state.txt': 'bad\n', 'untracked.txt': 'x' })
    const { result } = await runGate({ repo: repo.dir, env: env() })
    expect(result.green).toBe(true)
  })

  it('stays red on HEAD when the work tree holds an uncommitted fix', async () => {
    repo = await createFixtureRepo({ 'state.txt': 'bad\n' }, gate)
    await repo.write({ 'state.txt': 'good\n' })
    const { result } = await runGate({ repo: repo.dir, env: env() })
    expect(result.green).toBe(false)
  })

  it('runs the ref it is given, not the checked-out branch', async () => {
    repo = await createFixtureRepo({ 'state.txt': 'good\n' }, gate)
    const bad = await repo.commit({ 'state.txt': 'bad\n' }, 'break it', 'broken')
    await repo.commit({}, 'back', 'main')
    const { result } = await runGate({ repo: repo.dir, ref: 'broken', env: env() })
    expect(result.commit).toBe(bad)
    expect(result.green).toBe(false)
  })
})

describe("trunk's gate file judges every change", () => {
  const gate = 'version: 1\nsteps:\n  - name: check\n    run: "grep -q good state.txt"\n'

  it('runs the blocking steps a change deleted from its own gate file, and refuses to merge it', async () => {
    repo = await createFixtureRepo({ 'state.txt': 'good\n' }, gate)
    const weak = 'version: 1\nsteps:\n  - name: check\n    run: "true"\n'
    await repo.commit({ 'state.txt': 'bad\n', 'firedrill-gate.yaml': weak }, 'ci: a friendlier gate', 'weak')
    await repo.commit({}, 'trunk', 'main')
    const { result } = await runGate({ repo: repo.dir, ref: 'weak', env: env() })
    expect(result.policy).toMatchObject({ trunk: 'main', file: 'firedrill-gate.yaml' })
    expect(result.steps.map((s) => [s.name, s.status])).toEqual([
      ['check', 'failed'],
      ['gate-file-change', 'passed'],
    ])
    expect(result.steps[1]?.outputTail).toContain('changes step check')
    expect(result.green).toBe(false)
    await expect(mergeWhenGreen({ repo: repo.dir, branch: 'weak' })).rejects.toMatchObject({
      code: GateErrorCode.MERGE_REFUSED,
      refusal: 'red',
    })
  })

  it('is not fooled by a change whose gate file names its own branch as trunk', async () => {
    repo = await createFixtureRepo({ 'state.txt': 'good\n' }, gate)
    const self = 'version: 1\ntrunk: mine\nsteps:\n  - name: ok\n    run: "true"\n'
    await repo.commit({ 'state.txt': 'bad\n', 'firedrill-gate.yaml': self }, 'ci: I am trunk now', 'mine')
    await repo.commit({}, 'trunk', 'main')
    const { result } = await runGate({ repo: repo.dir, ref: 'mine', env: env() })
    expect(result.policy.trunk).toBe('main')
    expect(result.green).toBe(false)
    expect(result.steps[1]?.outputTail).toContain('removes step check (run)')
    await expect(mergeWhenGreen({ repo: repo.dir, branch: 'mine' })).rejects.toMatchObject({ refusal: 'red' })
    expect(await git(repo.dir, ['rev-parse', 'main'])).not.toBe(await git(repo.dir, ['rev-parse', 'mine']))
  })

  it('is red on a change that deletes the gate file or leaves it invalid', async () => {
    repo = await createFixtureRepo({ 'state.txt': 'good\n' }, gate)
    await repo.commit({ 'firedrill-gate.yaml': null }, 'ci: no gate', 'gone')
    await repo.commit({ 'firedrill-gate.yaml': 'version: 1\nsteps: []\n' }, 'ci: empty gate', 'empty', 'main')
    await repo.commit({}, 'trunk', 'main')
    const gone = await runGate({ repo: repo.dir, ref: 'gone', env: env() })
    expect(gone.result.steps.map((s) => [s.name, s.status])).toEqual([
      ['check', 'passed'],
      ['gate-file-change', 'failed'],
    ])
    const empty = await runGate({ repo: repo.dir, ref: 'empty', env: env() })
    expect(empty.result.steps[1]).toMatchObject({ name: 'gate-file-change', status: 'failed' })
    expect(empty.result.green).toBe(false)
  })

  it('exits 2 when there is no trunk to judge by, naming --trunk', async () => {
    repo = await createFixtureRepo({}, 'version: 1\nsteps:\n  - name: ok\n    run: "true"\n')
    await git(repo.dir, ['branch', '-m', 'main', 'develop'])
    await expect(runGate({ repo: repo.dir, env: env() })).rejects.toMatchObject({
      code: GateErrorCode.TRUNK_UNKNOWN,
    })
    const { code, stderr } = await runCliInProcess(['gate', '--repo', repo.dir])
    expect(code).toBe(2)
    expect(stderr).toContain('--trunk')
    expect((await runCliInProcess(['gate', '--repo', repo.dir, '--trunk', 'develop'])).code).toBe(0)
  })
})

describe('gate reports', () => {
  it('writes JUnit XML with one testcase per step and a failure for each red one', async () => {
    repo = await createFixtureRepo(
      {},
      `version: 1\nsteps:\n  - name: ok\n    run: "true"\n  - name: bad\n    run: 'echo "<boom>&"; exit 1'\n`,
    )
    const file = `${repo.dir}/out/junit.xml`
    const { code, stdout } = await runCliInProcess(['gate', '--repo', repo.dir, '--junit', file])
    expect(code).toBe(1)
    expect(stdout).toContain('gate RED')
    const xml = await import('node:fs/promises').then((fs) => fs.readFile(file, 'utf8'))
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8" \?>\n<testsuites name="firedrill gate" tests="2" failures="1" errors="0"/,
    )
    const cases = [...xml.matchAll(/<testcase classname="firedrill-gate" name="([^"]*)" time="[\d.]+">/g)]
    expect(cases.map((c) => c[1])).toEqual(['ok', 'bad'])
    expect(xml.match(/<failure message="exited with code 1" type="failed">/g)).toHaveLength(1)
    expect(xml).toContain('&lt;boom&gt;&amp;')
    expect(xml).not.toContain('<boom>')
    // Balanced elements: every opened element closes.
    for (const tag of ['testsuites', 'testsuite', 'testcase', 'failure'])
      expect(xml.split(`<${tag} `).length).toBe(xml.split(`</${tag}>`).length)
  })

  it("counts a test step's own tests, each a testcase, and keeps a red step red whatever its report says", async () => {
    const tests = [
      "import { expect, it } from 'vitest'",
      "it('adds', () => { expect(1 + 1).toBe(2) })",
      "it('subtracts', () => { expect(2 - 1).toBe(1) })",
      "it('rounds <half> & up', () => { expect(Math.round(2.5)).toBe(2) })",
      '',
    ].join('\n')
    repo = await createFixtureRepo(
      { 'src/math.test.ts': tests },
      'version: 1\nsteps:\n  - name: ok\n    run: "true"\n  - name: unit-tests\n    uses: unit-tests\n    timeout: 1m\n    with: { paths: [src] }\n',
    )
    const { result } = await runGate({ repo: repo.dir, env: env() })
    const step = result.steps.find((s) => s.name === 'unit-tests')
    expect(step?.status).toBe('failed')
    expect(step?.tests?.map((t) => [t.name, t.status])).toEqual([
      ['adds', 'passed'],
      ['subtracts', 'passed'],
      ['rounds <half> & up', 'failed'],
    ])
    const xml = gateJunitXml(result)
    // The run step is one case; the test step is its three tests, not one more case of its own.
    expect(xml).toMatch(/<testsuites name="firedrill gate" tests="4" failures="1" errors="0"/)
    expect(xml).toMatch(/<testsuite name="unit-tests @ [0-9a-f]{12}" [^>]*tests="3" failures="1"/)
    expect(xml).toContain('name="rounds &lt;half&gt; &amp; up"')
    expect(xml).toContain('classname="unit-tests.src/math.test.ts"')

    // A report written by the code under test can claim anything; the step's exit code decides, and a red
    // step whose report shows nothing failing is a failed testcase of its own.
    const forged = {
      ...result,
      steps: result.steps.map((s) =>
        s.name === 'unit-tests'
          ? { ...s, tests: s.tests?.map((t) => ({ ...t, status: 'passed' as const })) }
          : s,
      ),
    }
    const forgedXml = gateJunitXml(forged)
    expect(forgedXml).toMatch(/<testsuites name="firedrill gate" tests="5" failures="1"/)
    expect(forgedXml).toMatch(/<testcase classname="firedrill-gate" name="unit-tests" [^>]*>\n\s*<failure /)
  }, 60_000)

  it('gives the whole result as JSON and exits 0 when green', async () => {
    repo = await createFixtureRepo({}, 'version: 1\nsteps:\n  - name: ok\n    run: "true"\n')
    const { code, stdout } = await runCliInProcess(['gate', '--repo', repo.dir, '--json'])
    expect(code).toBe(0)
    const result = JSON.parse(stdout)
    expect(result.green).toBe(true)
    expect(result.steps[0]).toMatchObject({ name: 'ok', kind: 'run', status: 'passed', blocking: true })
    expect(gateJunitXml(result)).toContain('tests="1" failures="0"')
  })
})
