import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { quickScenario } from './support/quick-scenario.ts'
import { testRedisUrl } from './support/redis-sandbox.ts'
import { spawnCli } from './support/run-cli.ts'

const firedrill = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnCli(args, { REDIS_URL: testRedisUrl(), ...env }).done

describe('firedrill run', () => {
  it('refuses, before anything changes, a --ci run with a human responder and a --junit it could not write', async () => {
    const human = await firedrill(['run', '--ci', '--responder', 'human'])
    expect(human.code).toBe(2)
    expect(human.stderr).toContain('--ci runs unattended')
    const dir = await mkdtemp(join(tmpdir(), 'firedrill-junit-'))
    const isDir = await firedrill(['run', '--junit', dir])
    expect(isDir.code).toBe(2)
    expect(isDir.stderr).toContain(`--junit ${dir} is a directory`)
    expect(isDir.stderr).not.toContain('drill "')
    expect(isDir.stderr).not.toMatch(/\n\s+at /)
  })

  it('exits 2 naming the file and the field for a malformed scenario, with no stack trace', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'firedrill-bad-'))
    const file = join(dir, 'scenario.yaml')
    await writeFile(file, 'title: x\ndescription: y\nseed: 1\ntimeScale: 2\nbogus: 1\n')
    const { code, stderr } = await firedrill(['run', '--scenario', file])
    expect(code).toBe(2)
    expect(stderr).toContain(file)
    expect(stderr).toMatch(/timeScale|bogus/)
    expect(stderr).not.toMatch(/\n\s+at /)
  })

  it('exits 2 for --skip-follow-up on a target, whose loop is its own', async () => {
    const { code, stderr } = await firedrill([
      'run',
      '--skip-follow-up',
      '--target',
      'examples/shop-target/target.yaml',
    ])
    expect(code).toBe(2)
    expect(stderr).toContain("--skip-follow-up is for the shop's drills")
    expect(stderr).not.toMatch(/\n\s+at /)
  })

  it('exits 2 for an unknown scenario name and for a bad --responder', async () => {
    expect((await firedrill(['run', '--scenario', 'no-such-scenario'])).code).toBe(2)
    const bad = await firedrill(['run', '--responder', 'robot'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--responder must be bot or human')
  })
})

describe('firedrill plan', () => {
  it('prints the phases, stop conditions and preflight, and exits 0 when ready', async () => {
    const { code, stdout } = await firedrill(['plan'])
    expect(stdout).toContain('Stop conditions')
    expect(stdout).toContain('ok   flag present and owned')
    expect(stdout).toContain('post-deploy watch: none (the deploy is dark')
    expect(stdout).toContain('Ready.')
    expect(code).toBe(0)
  })

  it("says how a deploy that reaches users is watched, from the scenario's release.watch", async () => {
    const { stdout } = await firedrill(['plan', '--scenario', 'unflagged-change'])
    expect(stdout).toMatch(
      /post-deploy watch once the last batch is out: 2\.50 s \(10 min scaled\); error ratio ≥ 1 % or p95 above the steady state's \+ 20 % \(and \+ 25 ms at least\) on 3 evaluations in a row/,
    )
  })

  it('exits 1, not ready, when a check fails', async () => {
    const dir = await quickScenario()
    await writeFile(
      join(dir, 'change.patch'),
      'diff --git a/nope.ts b/nope.ts\n--- a/nope.ts\n+++ b/nope.ts\n@@ -1 +1 @@\n-a\n+b\n',
    )
    const { code, stdout } = await firedrill(['plan', '--scenario', dir])
    expect(stdout).toContain('FAIL change applies to the shop')
    expect(stdout).toContain('Not ready.')
    expect(code).toBe(1)
  })
})
