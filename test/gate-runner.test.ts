import { afterEach, describe, expect, it } from 'vitest'
import { gateJunitXml } from '../gate/report/gate-junit.ts'
import { runGate } from '../gate/runner/run-gate.ts'
import { git } from '../gate/sandbox/git.ts'
import { createFixtureRepo, type FixtureRepo } from '../gate/testing/fixture-repo.ts'
import { testRedisUrl } from './support/redis-sandbox.ts'
import { runCliInProcess } from './support/run-cli.ts'

const fail = 'node -e "process.exit(1)"'
let repo: FixtureRepo | undefined
afterEach(async () => {
  await repo?.remove()
  repo = undefined
})

const env = () => ({ ...process.env, REDIS_URL: testRedisUrl(), FIREDRILL_GATE_KEY: undefined })

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

  it('leaves no worktree behind, green or red', async () => {
    repo = await createFixtureRepo({}, `version: 1\nsteps:\n  - name: bad\n    run: '${fail}'\n`)
    await runGate({ repo: repo.dir, env: env() })
    const list = await git(repo.dir, ['worktree', 'list', '--porcelain'])
    expect(list.split('\n').filter((l) => l.startsWith('worktree '))).toHaveLength(1)
  })

  it('exits 2 for a ref that names no commit', async () => {
    repo = await createFixtureRepo({}, 'version: 1\nsteps:\n  - name: ok\n    run: "true"\n')
    const { code, stderr } = await runCliInProcess(['gate', '--repo', repo.dir, '--ref', 'no-such-branch'])
    expect(code).toBe(2)
    expect(stderr).toContain('"no-such-branch" names no commit')
  })

  it('runs independent steps in parallel', async () => {
    // Each step waits for the other's marker: only two steps running at once can both finish.
    repo = await createFixtureRepo(
      {},
      [
        'version: 1',
        'steps:',
        '  - name: left',
        '    run: "touch left; for i in $(seq 100); do [ -f right ] && exit 0; sleep 0.05; done; exit 1"',
        '  - name: right',
        '    run: "touch right; for i in $(seq 100); do [ -f left ] && exit 0; sleep 0.05; done; exit 1"',
        '',
      ].join('\n'),
    )
    const { result } = await runGate({ repo: repo.dir, env: env() })
    expect(result.steps.map((s) => s.status)).toEqual(['passed', 'passed'])
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
