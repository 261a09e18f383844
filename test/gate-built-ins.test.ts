import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { parseGateFile } from '../gate/config/parse-gate-file.ts'
import { GateErrorCode } from '../gate/gate-errors.ts'
import { mergeWhenGreen } from '../gate/merge/merge-when-green.ts'
import { runGate } from '../gate/runner/run-gate.ts'
import { findSecrets, maskSecret } from '../gate/steps/secret-rules.ts'
import { typecheckCacheFile, typecheckProject, typecheckSeedFile } from '../gate/steps/typecheck-cache.ts'
import { createFixtureRepo, type FixtureRepo, gateTestEnv } from '../gate/testing/fixture-repo.ts'
import { git } from '../record/git/git.ts'
import { testRedisUrl } from './support/redis-sandbox.ts'

const execFileAsync = promisify(execFile)

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

describe('test steps with isolate: false', () => {
  /** A test file that records itself in a module every file imports, and passes only when it loaded alone. */
  const LOADED_ALONE = (name: string) =>
    [
      "import { expect, it } from 'vitest'",
      "import { loaded } from './loaded.ts'",
      `loaded.push('${name}')`,
      `it('${name} loaded alone', () => { expect(loaded).toEqual(['${name}']) })`,
      '',
    ].join('\n')
  const SUM_TEST = (name: string, expected: number) =>
    `import { expect, it } from 'vitest'\nit('${name} adds', () => { expect(1 + 1).toBe(${expected}) })\n`

  it('run the files in one worker, and a failing test after a green run of the same repository turns the gate red', async () => {
    repo = await createFixtureRepo(
      {
        'shared/loaded.ts': 'export const loaded: string[] = []\n',
        'shared/a.test.ts': LOADED_ALONE('a'),
        'shared/b.test.ts': LOADED_ALONE('b'),
        'src/a.test.ts': SUM_TEST('a', 2),
        'src/b.test.ts': SUM_TEST('b', 2),
      },
      [
        'version: 1',
        'steps:',
        '  - name: isolated',
        '    uses: unit-tests',
        '    with: { paths: [shared] }',
        '  - name: one-worker',
        '    uses: unit-tests',
        '    with: { paths: [shared], isolate: false }',
        '  - name: unit-tests',
        '    uses: unit-tests',
        '    with: { paths: [src], isolate: false }',
        '',
      ].join('\n'),
    )
    const green = await runGate({ repo: repo.dir, env: env() })
    const status = (run: typeof green) => run.result.steps.map((s) => [s.name, s.status])
    // The option reaches vitest: sharing one worker, the second file sees the module the first one filled.
    expect(status(green), green.result.steps[1]?.outputTail).toEqual([
      ['isolated', 'passed'],
      ['one-worker', 'failed'],
      ['unit-tests', 'passed'],
    ])
    expect(green.result.steps[1]?.tests?.filter((t) => t.status === 'failed')).toHaveLength(1)
    expect(green.result.steps[2]?.tests?.map((t) => t.status)).toEqual(['passed', 'passed'])

    await repo.commit({ 'src/b.test.ts': SUM_TEST('b', 3) }, 'a test now failing')
    const red = await runGate({ repo: repo.dir, env: env() })
    expect(red.result.steps[2]?.status).toBe('failed')
    expect(red.result.steps[2]?.tests?.find((t) => t.name.includes('b adds'))?.status).toBe('failed')
    expect(red.result.green).toBe(false)
  }, 120_000)
})

describe('typecheck keeps its incremental state between gate runs', () => {
  it("starts a repository's first run from the user's seed, red exactly where a cold run is", async () => {
    // The user's cache, for this test alone.
    const saved = process.env.XDG_CACHE_HOME
    process.env.XDG_CACHE_HOME = await mkdtemp(join(tmpdir(), 'firedrill-cache-'))
    const gateFile = 'version: 1\nsteps:\n  - name: typecheck\n    uses: typecheck\n    timeout: 1m\n'
    const clean = {
      'tsconfig.json': TSCONFIG,
      'src/sum.ts': 'export const sum = (a: number, b: number): number => a + b\n',
      'src/use.ts': "import { sum } from './sum.js'\nexport const total: number = sum(1, 2)\n",
    }
    const other = await createFixtureRepo(clean, gateFile)
    try {
      expect((await runGate({ repo: other.dir, env: env() })).result.green).toBe(true)
      const seed = typecheckSeedFile('typecheck', await typecheckProject(other.dir))!
      expect(await readFile(seed, 'utf8')).toContain('src/use.ts')

      // Another repository, its first run: the same use.ts, but a sum.ts that breaks it. The seed holds use.ts
      // as clean; tsc checks it again because what it depends on changed.
      repo = await createFixtureRepo(
        { ...clean, 'src/sum.ts': 'export const sum = (a: number, b: number): string => String(a + b)\n' },
        gateFile,
      )
      const first = await runGate({ repo: repo.dir, env: env() })
      expect(first.result.green).toBe(false)
      expect(first.result.steps[0]?.outputTail).toMatch(/src\/use\.ts.*TS2322/)
    } finally {
      await other.remove()
      if (saved === undefined) delete process.env.XDG_CACHE_HOME
      else process.env.XDG_CACHE_HOME = saved
    }
  }, 120_000)

  it('checks again what a commit changes and what depends on it, red and green as a cold run would be', async () => {
    const files = {
      'tsconfig.json': TSCONFIG,
      'src/sum.ts': 'export const sum = (a: number, b: number): number => a + b\n',
      'src/use.ts': "import { sum } from './sum.js'\nexport const total: number = sum(1, 2)\n",
    }
    repo = await createFixtureRepo(
      files,
      'version: 1\nsteps:\n  - name: typecheck\n    uses: typecheck\n    timeout: 1m\n',
    )
    const first = await runGate({ repo: repo.dir, env: env() })
    expect(first.result.sandbox.kind).toBe('bubblewrap')
    expect(first.result.green, first.result.steps[0]?.outputTail).toBe(true)
    const cache = await typecheckCacheFile(repo.dir, 'typecheck')
    const kept = await readFile(cache, 'utf8')
    expect(kept).toContain('src/use.ts')

    // The change touches sum.ts only; the error it causes is in use.ts, which the kept state had as clean.
    await repo.commit(
      { 'src/sum.ts': 'export const sum = (a: number, b: number): string => String(a + b)\n' },
      'sum returns a string',
      'bad',
    )
    await repo.commit({}, 'trunk', 'main')
    const bad = await runGate({ repo: repo.dir, ref: 'bad', env: env() })
    expect(bad.result.green).toBe(false)
    expect(bad.result.steps[0]?.outputTail).toMatch(/src\/use\.ts.*TS2322/)

    // Trunk again (the state now holds the red commit's view): green; the red commit again: red.
    expect((await runGate({ repo: repo.dir, ref: 'main', env: env() })).result.green).toBe(true)
    expect((await runGate({ repo: repo.dir, ref: 'bad', env: env() })).result.green).toBe(false)

    // A kept state that is not tsc's own changes nothing: the run is as good as cold.
    await writeFile(cache, '{"version":"0","semanticDiagnosticsPerFile":[]')
    expect((await runGate({ repo: repo.dir, ref: 'bad', env: env() })).result.green).toBe(false)
    await writeFile(
      cache,
      '{"version":"7.0.2","root":[1],"fileNames":["src/use.ts"],"semanticDiagnosticsPerFile":[]}',
    )
    expect((await runGate({ repo: repo.dir, ref: 'bad', env: env() })).result.green).toBe(false)
  }, 120_000)

  it('trusts no build info a commit brings: a forged one, one its tsconfig names, or a link out of its copy', async () => {
    const good = 'export const sum = (a: number, b: number): number => a + b\n'
    const bad = 'export const sum = (a: number, b: number): number => String(a) + b\n'
    const tsc = join(import.meta.dirname, '..', 'node_modules', '.bin', 'tsc')
    const outside = join(await mkdtemp(join(tmpdir(), 'firedrill-outside-')), 'not-the-gates.txt')
    await writeFile(outside, 'left alone\n')
    repo = await createFixtureRepo(
      { 'tsconfig.json': TSCONFIG, 'src/sum.ts': good },
      'version: 1\nsteps:\n  - name: typecheck\n    uses: typecheck\n    timeout: 1m\n',
    )
    const dir = repo.dir
    /** tsc's own build info for the work tree as it is, its diagnostics then removed: "checked, all clean". */
    const forge = async (args: string[], file: string) => {
      await execFileAsync(tsc, ['--noEmit', ...args, '-p', 'tsconfig.json'], { cwd: dir }).catch(() => {})
      const info = JSON.parse(await readFile(join(dir, file), 'utf8'))
      info.semanticDiagnosticsPerFile = []
      return JSON.stringify(info)
    }
    try {
      // The gate's kept state exists (trunk was gated), and a branch brings build info where the gate keeps it.
      expect((await runGate({ repo: dir, env: env() })).result.green).toBe(true)
      await git(dir, ['checkout', '-q', '-b', 'forged', 'main'])
      await repo.write({ 'src/sum.ts': bad })
      const info = await forge(
        ['--incremental', '--tsBuildInfoFile', '.firedrill-gate.tsbuildinfo'],
        '.firedrill-gate.tsbuildinfo',
      )
      await repo.commit({ '.firedrill-gate.tsbuildinfo': info }, 'forged')
      await git(dir, ['checkout', '-q', 'main'])
      expect((await runGate({ repo: dir, ref: 'forged', env: env() })).result.green).toBe(false)

      // Without the sandbox: a tsconfig turning incremental on, naming forged build info of its own.
      const incremental = JSON.stringify({
        ...JSON.parse(TSCONFIG),
        compilerOptions: {
          ...JSON.parse(TSCONFIG).compilerOptions,
          incremental: true,
          tsBuildInfoFile: 'own.tsbuildinfo',
        },
      })
      await git(dir, ['checkout', '-q', '-b', 'own', 'main'])
      await repo.write({ 'src/sum.ts': bad, 'tsconfig.json': incremental })
      await repo.commit({ 'own.tsbuildinfo': await forge([], 'own.tsbuildinfo') }, 'forged by its tsconfig')
      await git(dir, ['checkout', '-q', 'main'])
      const unsandboxed = await runGate({ repo: dir, ref: 'own', env: env(), sandbox: 'off' })
      expect(unsandboxed.result.green).toBe(false)

      // A link where the gate puts its kept state: the gate must not write through it.
      await git(dir, ['checkout', '-q', '-b', 'link', 'main'])
      await symlink(outside, join(dir, '.firedrill-gate.tsbuildinfo'))
      await repo.commit({}, 'a link out of the copy')
      await git(dir, ['checkout', '-q', 'main'])
      expect((await runGate({ repo: dir, ref: 'link', env: env() })).result.green).toBe(true)
      expect(await readFile(outside, 'utf8')).toBe('left alone\n')
    } finally {
      await rm(dirname(outside), { recursive: true, force: true })
    }
  }, 120_000)
})

/** Key-shaped test values, put together at run time so this file holds none whole. */
const fake = {
  awsId: ['AKIA', 'Z3MSJV4WWNKWW5FG'].join(''),
  awsSecret: ['wJalrXUtnFEMI/K7MDENG/', 'bPxRfiCYzEXAMPLEKE'].join(''),
  slack: ['xoxb', '123456789012-abcdefghij'].join('-'),
  github: `ghp_${'a1B2'.repeat(9)}`,
}

describe('secret scan', () => {
  it('finds each kind of secret and never shows more than its first four characters', async () => {
    const secrets = { ...fake, password: 'hunter22', token: 'tok_9f8e7d6c5b4a3f2e1d' } // firedrill:allow-secret
    const text = [
      `const id = '${secrets.awsId}'`,
      `slack: ${secrets.slack}`,
      `GITHUB=${secrets.github}`,
      `db: { password: "${secrets.password}" }`,
      `const apiToken = '${secrets.token}'`,
      pemLine('BEGIN', 'OPENSSH '),
    ].join('\n')
    const findings = await findSecrets('a.ts', text)
    expect(findings.map((f) => [f.line, f.rule])).toEqual([
      [1, 'aws/AWSAccessKeyID'],
      [2, 'slack/SLACK_TOKEN'],
      [3, 'github/GITHUB_TOKEN'],
      [4, 'firedrill/password-assignment'],
      [5, 'firedrill/secret-assignment'],
      [6, 'firedrill/private-key-block'],
    ])
    const report = JSON.stringify(findings)
    for (const secret of Object.values(secrets)) expect(report).not.toContain(secret.slice(4))
    expect(maskSecret(secrets.awsId)).toMatch(/^AKIA\*+ \(20 chars\)$/)
  })

  // What the delivery pipeline's checklist warns about, which the scan once missed.
  it.each([
    [
      'an AWS secret access key alone on its line',
      `${fake.awsId}\n${fake.awsSecret}\n`,
      2,
      'firedrill/aws-secret-access-key-alone',
    ],
    [
      'DB_PASSWORD=… in an environment file',
      'DB_HOST=db\nDB_PASSWORD=s3cr3t-Passw0rd\n',
      2,
      'firedrill/password-variable',
    ],
    [
      'credentials inside a database URL',
      'DATABASE_URL: postgresql://user:pass@host/db\n', // firedrill:allow-secret
      1,
      'firedrill/url-credentials',
    ],
    [
      'credentials inside a Redis URL',
      'REDIS_URL=redis://:n0t-s0-s3cret@cache:6379/0\n', // firedrill:allow-secret
      1,
      'firedrill/url-credentials',
    ],
  ])('finds %s', async (_what, text, line, rule) => {
    const findings = await findSecrets('deploy/app.env', text)
    expect(findings).toContainEqual(expect.objectContaining({ line, rule }))
    expect(JSON.stringify(findings)).not.toMatch(/s3cr3t-Passw0rd|:pass@|n0t-s0-s3cret|EXAMPLEKE/)
  })

  it('leaves names, references, placeholders and allow-listed fixtures alone', async () => {
    const text = [
      "const TOKEN = 'test-token-for-flag-flips'",
      "const password = process.env.PASSWORD ?? ''",
      "const PASSWORD_ENV = 'FIREDRILL_DB_PASSWORD'",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell reference, as an env file writes it
      'DB_PASSWORD=${DB_PASSWORD}',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a template literal, as the code under scan writes it
      'const url = `redis://${host}:${port}`',
      "const sha = 'e83c5163316f89bfbde7d9ab23ca2e25604af290'",
      `const key = '${fake.awsId}' // firedrill:allow-secret`,
    ].join('\n')
    expect(await findSecrets('a.ts', text)).toEqual([])
  })

  it('cannot be switched off for a file by a secretlint-disable comment in the change', async () => {
    const text = `// secretlint-disable\nDATABASE_URL=postgresql://app:Sup3r-s3cret@db/app // secretlint-disable-line\n` // firedrill:allow-secret
    expect((await findSecrets('a.ts', text)).map((f) => f.line)).toEqual([2])
  })

  it('is red on a commit holding a database URL with its password, read from the commit itself', async () => {
    repo = await createFixtureRepo(
      { 'config/app.yaml': 'port: 3000\n' },
      'version: 1\nsteps:\n  - name: secret-scan\n    uses: secret-scan\n',
    )
    await repo.commit(
      { 'config/app.yaml': 'DATABASE_URL: postgresql://user:pass@host/db\n' }, // firedrill:allow-secret
      'config',
      'leak',
    )
    await repo.commit({}, 'trunk', 'main')
    const { result } = await runGate({ repo: repo.dir, ref: 'leak', env: env() })
    expect(result.steps[0]).toMatchObject({ status: 'failed' })
    expect(result.steps[0]?.outputTail).toContain('config/app.yaml:1  firedrill/url-credentials  post')
    expect(result.steps[0]?.outputTail).not.toContain('user:pass')
  })

  it('never reads what its ignore list names, and only that: a fixture folder, not its neighbours', async () => {
    const leak = 'DATABASE_URL: postgresql://user:pass@host/db\n' // firedrill:allow-secret
    repo = await createFixtureRepo(
      { 'fixtures/drill/key.env': leak, 'fixtures/drill-two/key.env': leak },
      'version: 1\nsteps:\n  - name: secret-scan\n    uses: secret-scan\n    with: { ignore: [fixtures/drill/] }\n',
    )
    const { result } = await runGate({ repo: repo.dir, env: env() })
    expect(result.steps[0]).toMatchObject({ status: 'failed' })
    expect(result.steps[0]?.outputTail).toContain('fixtures/drill-two/key.env:1')
    expect(result.steps[0]?.outputTail).not.toContain('fixtures/drill/key.env')
  })

  it('takes an ignore list only on a secret-scan step', () => {
    expect(() =>
      parseGateFile(
        'version: 1\nsteps:\n  - name: lint\n    run: "true"\n    with: { ignore: [a] }\n',
        'g.yaml',
      ),
    ).toThrow(/steps\[0\]\.with\.ignore.*is only for secret-scan steps/s)
  })
})
