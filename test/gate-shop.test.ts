import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { mergeWhenGreen } from '../gate/merge/merge-when-green.ts'
import { runGate } from '../gate/runner/run-gate.ts'
import { commitPatch, createSandboxRepo, PROJECT_ROOT } from '../gate/sandbox/sandbox-repo.ts'
import { gateTestEnv } from '../gate/testing/fixture-repo.ts'
import { mintReleaseFlag } from '../simulator/drill/mint-release-flag.ts'
import { testRedisUrl } from './support/redis-sandbox.ts'

const BAD_PRICING = join(PROJECT_ROOT, 'simulator', 'scenarios', 'bad-pricing', 'change.patch')
let parent: string | undefined

afterAll(async () => {
  if (parent !== undefined) await rm(parent, { recursive: true, force: true })
})

describe("the shop's gate", () => {
  it("lets the bad-pricing change through, since nothing tests the flagged path's unknown coupons yet", async () => {
    parent = await mkdtemp(join(tmpdir(), 'firedrill-gate-shop-'))
    const env = gateTestEnv({ REDIS_URL: testRedisUrl() })
    const repo = await createSandboxRepo(join(parent, 'shop'), PROJECT_ROOT, env)
    await mintReleaseFlag(repo, 'checkout.new-pricing', Date.now())
    const head = await commitPatch(
      repo,
      BAD_PRICING,
      'bad-pricing',
      'feat(pricing): validate coupons up front',
    )
    const { result } = await runGate({ repo: repo.dir, ref: 'bad-pricing', env })
    // In the sandbox: the contract tests ran on a Redis of their own there, not on the one REDIS_URL names.
    expect(result.sandbox.kind).toBe('bubblewrap')
    const failed = result.steps.filter((s) => s.status !== 'passed')
    expect(failed, failed.map((s) => `${s.name}: ${s.reason}\n${s.outputTail}`).join('\n')).toEqual([])
    expect(result.steps.map((s) => s.name)).toEqual([
      'typecheck',
      'contract-tests',
      'unit-tests',
      'secret-scan',
      'flag-inventory',
      'flag-debt',
      'cfr-governor',
    ])
    // The shop's delivery history, as steady as its team: both figures compared against the baseline.
    const governor = result.steps.find((s) => s.name === 'cfr-governor')
    expect(governor?.outputTail).toMatch(/change failure rate: trailing \d\.\d% <= baseline \d\.\d%/)
    expect(governor?.outputTail).toMatch(/recovery time: trailing median .* <= baseline median/)
    expect(result.green).toBe(true)
    const merged = await mergeWhenGreen({ repo: repo.dir, branch: 'bad-pricing', env })
    expect(merged.branchHead).toBe(head)
  }, 120_000)
})
