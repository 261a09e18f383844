import { afterEach, describe, expect, it } from 'vitest'
import { parseGateFile } from '../gate/config/parse-gate-file.ts'
import { GateErrorCode } from '../gate/gate-errors.ts'
import { mergeWhenGreen } from '../gate/merge/merge-when-green.ts'
import { runGate } from '../gate/runner/run-gate.ts'
import { createFixtureRepo, type FixtureRepo, gateTestEnv } from '../gate/testing/fixture-repo.ts'

let repo: FixtureRepo | undefined
afterEach(async () => {
  await repo?.remove()
  repo = undefined
})

const env = () => gateTestEnv()

const FLAGS = (lifecycle: string, expiresAt = '2099-01-31') =>
  JSON.stringify({
    flags: {
      'shop.beta': {
        state: 'ENABLED',
        variants: { on: true, off: false },
        defaultVariant: 'off',
        metadata: { owner: 'team-a', type: 'release', lifecycle, expiresAt, removalTicket: 'SHOP-1' },
      },
    },
  })
const GATE =
  'version: 1\nsteps:\n  - name: flag-debt\n    uses: flag-debt\n    timeout: 30s\n    with: { flagsFile: flags.json }\n'

describe('flag-debt gate step', () => {
  it('is green on a file without debt, red on an archived flag code still uses, and the branch is refused', async () => {
    repo = await createFixtureRepo(
      { 'flags.json': FLAGS('completed'), 'src/beta.ts': "export const BETA = 'shop.beta'\n" },
      GATE,
    )
    const good = await runGate({ repo: repo.dir, env: env() })
    expect(good.result.green, good.result.steps[0]?.outputTail).toBe(true)

    await repo.commit({ 'flags.json': FLAGS('archived', '2020-01-01') }, 'archive too early', 'bad')
    await repo.commit({}, 'trunk', 'main')
    const bad = await runGate({ repo: repo.dir, ref: 'bad', env: env() })
    const [step] = bad.result.steps
    expect(step?.status).toBe('failed')
    expect(step?.outputTail).toContain('src/beta.ts')
    expect(bad.result.green).toBe(false)
    await expect(mergeWhenGreen({ repo: repo.dir, branch: 'bad', env: env() })).rejects.toMatchObject({
      code: GateErrorCode.MERGE_REFUSED,
      refusal: 'red',
    })

    await repo.commit({ 'src/beta.ts': null }, 'remove the beta code path', 'cleanup', 'bad')
    const cleaned = await runGate({ repo: repo.dir, ref: 'cleanup', env: env() })
    expect(cleaned.result.green, cleaned.result.steps[0]?.outputTail).toBe(true)
  }, 30_000)

  it('is red on a flags file that does not load', async () => {
    repo = await createFixtureRepo({ 'flags.json': '{ "flags": 3 }' }, GATE)
    const { result } = await runGate({ repo: repo.dir, env: env() })
    expect(result.steps[0]?.status).toBe('failed')
  }, 30_000)

  it('accepts flagsFile in the gate file', () => {
    expect(parseGateFile(GATE, 'gate.yaml').steps[0]).toMatchObject({
      kind: 'flag-debt',
      flagsFile: 'flags.json',
    })
  })
})
