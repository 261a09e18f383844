import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { GateErrorCode } from '../gate/gate-errors.ts'
import { runGate } from '../gate/runner/run-gate.ts'
import { createFixtureRepo, type FixtureRepo, gateTestEnv } from '../gate/testing/fixture-repo.ts'
import { testRedisUrl } from './support/redis-sandbox.ts'

let repo: FixtureRepo | undefined
let scratch: string | undefined
afterEach(async () => {
  await repo?.remove()
  repo = undefined
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true })
  scratch = undefined
})

/** A secret the gate's own environment holds, which no step may see. */
const PLANTED = { AWS_SECRET_ACCESS_KEY: 'planted-secret-value', GITHUB_TOKEN: 'planted-token-value' }

/** What a step can reach, printed as JSON: its environment, files of the machine, the host's Redis, /proc. */
const PROBE = `import { readdirSync, readFileSync } from 'node:fs'
import { connect } from 'node:net'
const [file, redisPort] = process.argv.slice(2)
const reach = (port) => new Promise((resolve) => {
  const s = connect(Number(port), '127.0.0.1')
  s.once('connect', () => { s.destroy(); resolve(true) })
  s.once('error', () => resolve(false))
  setTimeout(() => { s.destroy(); resolve(false) }, 2000)
})
let secretFile = null
try { secretFile = readFileSync(file, 'utf8') } catch {}
console.log(JSON.stringify({
  env: process.env,
  secretFile,
  hostRedis: await reach(redisPort),
  pids: readdirSync('/proc').filter((p) => /^[0-9]+$/.test(p)).length,
}))
`

async function probeRepo(): Promise<{ file: string; redisPort: string }> {
  scratch = await mkdtemp(join(tmpdir(), 'firedrill-sandbox-'))
  const file = join(scratch, 'machine-secret.txt')
  await writeFile(file, 'a file of the machine\n')
  const redisPort = new URL(testRedisUrl()).port || '6379'
  repo = await createFixtureRepo(
    { 'probe.mjs': PROBE },
    `version: 1\nsteps:\n  - name: probe\n    run: "node probe.mjs ${file} ${redisPort}"\n`,
  )
  return { file, redisPort }
}

const facts = (tail: string) => JSON.parse(tail.split('\n').find((l) => l.startsWith('{')) ?? '{}')

describe('the gate sandbox', () => {
  it('gives a step no environment of the gate’s, no file of the machine, no network and no other process', async () => {
    await probeRepo()
    const { result, record } = await runGate({ repo: repo!.dir, env: gateTestEnv(PLANTED), sandbox: 'on' })
    expect(result.sandbox.kind).toBe('bubblewrap')
    expect(record).toMatchObject({ sandbox: 'bubblewrap' })
    const seen = facts(result.steps[0]!.outputTail)
    const allowed = [
      'CI',
      'FORCE_COLOR',
      'HOME',
      'LANG',
      'LC_ALL',
      'NO_COLOR',
      'PATH',
      'PWD',
      'SHLVL',
      'TMPDIR',
      'TZ',
      '_',
    ]
    expect(Object.keys(seen.env).filter((k) => !allowed.includes(k))).toEqual([])
    expect(JSON.stringify(seen.env)).not.toContain('planted')
    expect(JSON.stringify(seen.env)).not.toContain('PRIVATE KEY')
    expect(seen.secretFile).toBeNull()
    expect(seen.hostRedis).toBe(false)
    expect(seen.pids).toBeLessThan(10)
  })

  it('says plainly when it is off, and still runs the steps with an environment built from nothing', async () => {
    await probeRepo()
    const { result, record } = await runGate({ repo: repo!.dir, env: gateTestEnv(PLANTED), sandbox: 'off' })
    expect(result.sandbox).toEqual({
      kind: 'off',
      detail: expect.stringContaining('turned off for this run'),
    })
    expect(record).toMatchObject({
      sandbox: 'off',
      sandboxDetail: expect.stringContaining('can read whatever this user can'),
    })
    const seen = facts(result.steps[0]!.outputTail)
    expect(JSON.stringify(seen.env)).not.toContain('planted')
    expect(seen.env.FIREDRILL_GATE_SIGNING_KEY).toBeUndefined()
    // Off means off: the machine's files are there to read. The README says so.
    expect(seen.secretFile).toBe('a file of the machine\n')
  })

  it('runs unsandboxed, saying why, where bubblewrap is missing', async () => {
    await probeRepo()
    const { result } = await runGate({
      repo: repo!.dir,
      env: gateTestEnv(),
      bubblewrap: '/nonexistent/bwrap',
    })
    expect(result.sandbox.kind).toBe('off')
    expect(result.sandbox.detail).toContain('bubblewrap (/nonexistent/bwrap) is not installed')
    expect(result.green).toBe(true)
  })

  it('refuses to run at all when trunk’s gate file requires the sandbox and it cannot be had', async () => {
    repo = await createFixtureRepo(
      {},
      'version: 1\nsandbox: required\nsteps:\n  - name: ok\n    run: "true"\n',
    )
    await expect(runGate({ repo: repo.dir, env: gateTestEnv(), sandbox: 'off' })).rejects.toMatchObject({
      code: GateErrorCode.SANDBOX_UNAVAILABLE,
    })
    await expect(
      runGate({ repo: repo.dir, env: gateTestEnv(), bubblewrap: '/nonexistent/bwrap' }),
    ).rejects.toMatchObject({ code: GateErrorCode.SANDBOX_UNAVAILABLE })
    const { result } = await runGate({ repo: repo.dir, env: gateTestEnv() })
    expect(result.sandbox.kind).toBe('bubblewrap')
  })

  it('gives each step its own copy: what one step writes reaches neither another step nor the gate’s own checks', async () => {
    const flags = (owner: string) =>
      JSON.stringify({
        flags: {
          'shop.beta': {
            state: 'ENABLED',
            variants: { on: true, off: false },
            defaultVariant: 'off',
            metadata: { type: 'kill-switch', owner },
          },
        },
      })
    repo = await createFixtureRepo(
      { 'flags.json': flags(''), 'state.txt': 'bad\n' },
      [
        'version: 1',
        'steps:',
        '  - name: tamper',
        `    run: "echo good > state.txt && echo '${flags('someone').replaceAll('"', '\\"')}' > flags.json"`,
        '  - name: check',
        '    run: "grep -q good state.txt"',
        '    needs: [tamper]',
        '  - name: flag-inventory',
        '    uses: flag-inventory',
        '    needs: [tamper]',
        '    with: { flagsFile: flags.json }',
        '',
      ].join('\n'),
    )
    const { result } = await runGate({ repo: repo.dir, env: gateTestEnv() })
    expect(result.steps.map((s) => [s.name, s.status])).toEqual([
      ['tamper', 'passed'],
      ['check', 'failed'],
      ['flag-inventory', 'failed'],
    ])
  })
})
