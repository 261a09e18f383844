import { afterEach, describe, expect, it } from 'vitest'
import { GateErrorCode } from '../gate/gate-errors.ts'
import { mergeWhenGreen } from '../gate/merge/merge-when-green.ts'
import { runGate } from '../gate/runner/run-gate.ts'
import { findSecrets, maskSecret } from '../gate/steps/secret-rules.ts'
import { createFixtureRepo, type FixtureRepo, gateTestEnv } from '../gate/testing/fixture-repo.ts'
import { testRedisUrl } from './support/redis-sandbox.ts'

/** A PEM armour line, put together at run time so this file holds no key-looking text itself. */
const pemLine = (edge: 'BEGIN' | 'END', kind: string) => `-----${edge} ${kind}${'PRIVATE'} KEY-----`

let repo: FixtureRepo | undefined
afterEach(async () => {
  await repo?.remove()
  repo = undefined
})

const env = () => gateTestEnv({ REDIS_URL: testRedisUrl() })

const TSCONFIG = JSON.stringify({
  compilerOptions: {
    strict: true,
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    noEmit: true,
    types: [],
  },
  include: ['src'],
})
const FLAG = (metadata: Record<string, string>) =>
  JSON.stringify({
    flags: {
      'shop.beta': {
        state: 'ENABLED',
        variants: { on: true, off: false },
        defaultVariant: 'off',
        metadata: { type: 'release', lifecycle: 'active', ...metadata },
      },
    },
  })
const COMPLETE_FLAG = { owner: 'team-a', expiresAt: '2030-01-01', removalTicket: 'SHOP-1' }
const VITEST_TEST = (expected: string) =>
  `import { expect, it } from 'vitest'\nit('adds', () => { expect(String(1 + 1)).toBe('${expected}') })\n`
const CONTRACT_TEST = (ping: string) =>
  [
    "import { Redis } from 'ioredis'",
    "import { expect, inject, it } from 'vitest'",
    "it('talks to the Redis the gate provides', async () => {",
    "  const redis = new Redis(inject('redisUrl'))",
    `  try { expect(await redis.ping()).toBe('${ping}') } finally { redis.disconnect() }`,
    '})',
    '',
  ].join('\n')

interface Kind {
  uses: string
  with?: string
  green: Record<string, string>
  red: Record<string, string | null>
}

/** For each built-in step: a commit it passes, and a change that turns it red. */
const KINDS: Kind[] = [
  {
    uses: 'typecheck',
    green: {
      'tsconfig.json': TSCONFIG,
      'src/sum.ts': 'export const sum = (a: number, b: number): number => a + b\n',
    },
    red: { 'src/sum.ts': 'export const sum = (a: number, b: number): number => String(a) + b\n' },
  },
  {
    uses: 'unit-tests',
    with: '{ paths: [src] }',
    green: { 'src/sum.test.ts': VITEST_TEST('2') },
    red: { 'src/sum.test.ts': VITEST_TEST('3') },
  },
  {
    uses: 'contract-tests',
    with: '{ paths: [contract] }',
    green: { 'contract/redis.test.ts': CONTRACT_TEST('PONG') },
    red: { 'contract/redis.test.ts': CONTRACT_TEST('PANG') },
  },
  {
    uses: 'secret-scan',
    green: { 'src/config.ts': "export const region = 'eu-west-1'\n" },
    red: {
      'deploy/id_rsa': `${pemLine('BEGIN', 'RSA ')}\nMIIEowIBAAKCAQEA${'x'.repeat(40)}\n${pemLine('END', 'RSA ')}\n`,
    },
  },
  {
    uses: 'flag-inventory',
    with: '{ flagsFile: flags.json }',
    green: { 'flags.json': FLAG(COMPLETE_FLAG) },
    red: { 'flags.json': FLAG({ expiresAt: '2030-01-01', removalTicket: 'SHOP-1' }) },
  },
]

describe('a forced red on a blocking built-in step blocks the merge', () => {
  for (const kind of KINDS) {
    it(`${kind.uses}: green on a good commit, red on a bad one, and the bad branch is refused`, async () => {
      const withLine = kind.with === undefined ? '' : `    with: ${kind.with}\n`
      repo = await createFixtureRepo(
        kind.green,
        `version: 1\nsteps:\n  - name: ${kind.uses}\n    uses: ${kind.uses}\n    timeout: 1m\n${withLine}`,
      )
      const good = await runGate({ repo: repo.dir, env: env() })
      expect(good.result.steps[0]?.outputTail).toBeDefined()
      expect(good.result.green, good.result.steps[0]?.outputTail).toBe(true)

      await repo.commit(kind.red, 'bad change', 'bad')
      await repo.commit({}, 'trunk', 'main')
      const bad = await runGate({ repo: repo.dir, ref: 'bad', env: env() })
      expect(bad.result.steps[0]?.status).toBe('failed')
      expect(bad.result.green).toBe(false)
      await expect(mergeWhenGreen({ repo: repo.dir, branch: 'bad', env: env() })).rejects.toMatchObject({
        code: GateErrorCode.MERGE_REFUSED,
        refusal: 'red',
      })
    }, 60_000)
  }
})

describe('secret scan', () => {
  it('finds each kind of secret and never shows more than its first four characters', () => {
    const secrets = {
      aws: 'AKIAIOSFODNN7EXAMPLE',
      slack: 'xoxb-123456789012-abcdefghij',
      github: `ghp_${'a1B2'.repeat(9)}`,
      password: 'hunter22',
      token: 'tok_9f8e7d6c5b4a3f2e1d',
    }
    const text = [
      `const id = '${secrets.aws}'`,
      `slack: ${secrets.slack}`,
      `GITHUB=${secrets.github}`,
      `db: { password: "${secrets.password}" }`,
      `const apiToken = '${secrets.token}'`,
      pemLine('BEGIN', 'OPENSSH '),
    ].join('\n')
    const findings = findSecrets('a.ts', text)
    expect(findings.map((f) => [f.line, f.rule])).toEqual([
      [1, 'aws-access-key-id'],
      [2, 'slack-token'],
      [3, 'github-token'],
      [4, 'password-assignment'],
      [5, 'generic-secret-assignment'],
      [6, 'private-key'],
    ])
    const report = JSON.stringify(findings)
    for (const secret of Object.values(secrets)) expect(report).not.toContain(secret.slice(4))
    expect(maskSecret(secrets.aws)).toMatch(/^AKIA\*+ \(20 chars\)$/)
  })

  it('leaves names, placeholders and allow-listed fixtures alone', () => {
    const text = [
      "const TOKEN = 'test-token-for-flag-flips'",
      "const password = process.env.PASSWORD ?? ''",
      "const key = 'AKIAIOSFODNN7EXAMPLE' // firedrill:allow-secret",
    ].join('\n')
    expect(findSecrets('a.ts', text)).toEqual([])
  })
})
