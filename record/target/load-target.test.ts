import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadTarget } from './load-target.ts'
import { parseTarget } from './parse-target.ts'
import { TargetErrorCode } from './target-errors.ts'

const MINIMAL = `
name: checkout
service:
  url: http://127.0.0.1:3000/
slis:
  kind: metrics
  histogram: http_request_duration_seconds
flags:
  flag: checkout.new-pricing
  source:
    kind: firedrill
    url: http://127.0.0.1:3100
`

async function fileWith(text: string, name = 'target.yaml'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'firedrill-target-'))
  const file = join(dir, name)
  await writeFile(file, text)
  return file
}

/** The error a bad target file gives, as the command line would see it. */
function refusal(text: string): { code: string; exitCode: number; message: string } {
  try {
    parseTarget(text, 'bad/target.yaml')
  } catch (err) {
    return err as { code: string; exitCode: number; message: string }
  }
  throw new Error('the target was accepted')
}

describe('target file', () => {
  it('loads a minimal file with every default filled in, frozen', async () => {
    const loaded = await loadTarget(await fileWith(MINIMAL))
    expect(loaded.instances).toEqual(['http://127.0.0.1:3000'])
    expect(loaded.target.service).toMatchObject({ health: '/healthz', readiness: '/readyz', timeoutMs: 2000 })
    expect(loaded.target.slis).toEqual({
      kind: 'metrics',
      path: '/metrics',
      scrapeInterval: '1s',
      histogram: 'http_request_duration_seconds',
      statusLabel: 'status_code',
      routeLabel: 'route',
    })
    expect(loaded.target.flags.source).toEqual({
      kind: 'firedrill',
      url: 'http://127.0.0.1:3100',
      tokenEnv: 'FIREDRILL_FLAGS_TOKEN',
    })
    expect(loaded.target.traffic).toEqual({ kind: 'none' })
    expect(Object.isFrozen(loaded.target.slis)).toBe(true)
  })

  it('resolves a flagd file and a repository against the target file, and takes a request template', async () => {
    const file = await fileWith(`
name: pricing
service:
  instances: [http://10.0.0.1:8080, http://10.0.0.2:8080]
  health: /live
  readiness: /ready
slis:
  kind: prometheus
  url: http://prometheus:9090
  scrapeInterval: 15s
  errors: sum(rate(requests_total{code=~"5.."}[$window]))
  total: sum(rate(requests_total[$window]))
flags:
  flag: pricing.v2
  source: { kind: flagd, file: flags/flags.json }
traffic:
  kind: template
  ratePerSecond: 20
  request:
    method: POST
    path: /quotes/{{faker.string.uuid}}
    headers: { x-customer: "{{faker.person.firstName}}" }
    body: { items: [{ sku: "{{faker.commerce.isbn}}", qty: 2 }] }
repo: { path: ../pricing-service }
`)
    const loaded = await loadTarget(file)
    expect(loaded.instances).toHaveLength(2)
    expect(loaded.flagsFile).toBe(join(loaded.dir, 'flags', 'flags.json'))
    expect(loaded.repo).toEqual({
      dir: join(loaded.dir, '..', 'pricing-service'),
      gateFile: 'firedrill-gate.yaml',
    })
    expect(loaded.target.traffic).toMatchObject({ kind: 'template', ratePerSecond: 20 })
  })

  it("takes the repository's change and its fix, a patch resolved against the target file or a branch", async () => {
    const patched = await loadTarget(
      await fileWith(`${MINIMAL}repo:\n  path: .\n  change: 3f2a9c1\n  fix: { patch: fixes/fx.patch }\n`),
    )
    expect(patched.repo).toEqual({
      dir: patched.dir,
      gateFile: 'firedrill-gate.yaml',
      change: '3f2a9c1',
      fix: { patch: join(patched.dir, 'fixes', 'fx.patch') },
    })
    const branched = await loadTarget(
      await fileWith(`${MINIMAL}repo: { path: ., fix: { branch: fix/fx-v2 } }\n`),
    )
    expect(branched.repo?.fix).toEqual({ branch: 'fix/fx-v2' })
  })

  it.each([
    ['both kinds of fix', '{ patch: a.patch, branch: fix }', 'repo.fix', 'exactly one of patch'],
    ['no kind of fix', '{}', 'repo.fix', 'exactly one of patch'],
    ['a branch git would refuse', '{ branch: "fix..it" }', 'repo.fix.branch', 'a commit id, branch or tag'],
    ['a branch read as an option', '{ branch: "--upload-pack=x" }', 'repo.fix.branch', 'a commit id'],
  ])("refuses a repository's fix with %s, naming the field", (_, fix, path, expected) => {
    const err = refusal(`${MINIMAL}repo: { path: ., fix: ${fix} }\n`)
    expect(err.code).toBe(TargetErrorCode.TARGET_INVALID)
    expect(err.exitCode).toBe(2)
    expect(err.message).toContain(`bad/target.yaml: ${path}`)
    expect(err.message).toContain(expected)
  })

  it.each([
    [
      'a mistyped field, with the closest one',
      MINIMAL.replace('histogram:', 'histogramm:'),
      'slis.histogramm',
      'did you mean "histogram"',
    ],
    [
      'a flag source kind it does not know',
      MINIMAL.replace('kind: firedrill', 'kind: flagdd'),
      'flags.source.kind',
      'did you mean "flagd"',
    ],
    [
      'both url and instances',
      MINIMAL.replace('service:\n', 'service:\n  instances: [http://a:1]\n'),
      'service',
      'exactly one of url',
    ],
    [
      'neither url nor instances',
      MINIMAL.replace('  url: http://127.0.0.1:3000/\n', '  health: /up\n'),
      'service',
      'got neither',
    ],
    [
      'a URL that is not http',
      MINIMAL.replace('http://127.0.0.1:3100', 'ftp://flags'),
      'flags.source.url',
      'http(s) URL',
    ],
    [
      'a bad duration',
      MINIMAL.replace('kind: metrics', 'kind: metrics\n  scrapeInterval: fast'),
      'slis.scrapeInterval',
      'a duration',
    ],
    [
      'a PromQL query without $window',
      MINIMAL.replace(
        /slis:[\s\S]*?flags:/,
        'slis:\n  kind: prometheus\n  url: http://p:9090\n  scrapeInterval: 15s\n  errors: sum(rate(x[5m]))\n  total: sum(rate(y[$window]))\nflags:',
      ),
      'slis.errors',
      'using $window',
    ],
    [
      'a faker field that does not exist',
      `${MINIMAL}traffic:\n  kind: template\n  ratePerSecond: 5\n  request: { method: GET, path: "/p/{{faker.strng.uuid}}" }\n`,
      'traffic.request.path',
      'did you mean "string"',
    ],
  ])('refuses %s, naming the file and the field (exit 2)', (_what, text, field, says) => {
    const err = refusal(text)
    expect(err.code).toBe(TargetErrorCode.TARGET_INVALID)
    expect(err.exitCode).toBe(2)
    expect(err.message).toContain(`bad/target.yaml: ${field} `)
    expect(err.message).toContain(says)
  })

  it('refuses bad YAML, an empty file and a missing file with their codes', async () => {
    expect(refusal('name: [unclosed').code).toBe(TargetErrorCode.TARGET_YAML)
    expect(refusal('# nothing here\n').code).toBe(TargetErrorCode.TARGET_YAML)
    expect(refusal(`${MINIMAL}---\nname: again\n`).code).toBe(TargetErrorCode.TARGET_YAML)
    await expect(loadTarget('/nonexistent/target.yaml')).rejects.toMatchObject({
      code: TargetErrorCode.TARGET_NOT_FOUND,
      exitCode: 2,
    })
    await expect(
      loadTarget(await fileWith(Buffer.from([0x6e, 0x61, 0xff, 0xfe]) as unknown as string)),
    ).rejects.toMatchObject({
      code: TargetErrorCode.TARGET_UNREADABLE,
    })
  })
})

describe("a target's dependencies behind the fault proxy", () => {
  const withDependencies = (dependencies: string) => `${MINIMAL}dependencies:\n${dependencies}`

  it('resolves the proxy defaults and keeps the degrade switch', () => {
    const target = parseTarget(
      withDependencies(
        '  - { name: rates, proxy: { url: http://127.0.0.1:9091 }, degradeSwitch: checkout.cached-rates }\n',
      ),
      'ok/target.yaml',
    )
    expect(target.dependencies?.[0]).toEqual({
      name: 'rates',
      proxy: { url: 'http://127.0.0.1:9091', prefix: 'firedrill' },
      degradeSwitch: 'checkout.cached-rates',
    })
  })

  it('exits 2 naming the file and the field for a twice-named dependency, a shared proxy, or the change flag as a degrade switch', () => {
    const err = refusal(
      withDependencies(
        [
          '  - { name: rates, proxy: { url: http://127.0.0.1:9091 } }',
          '  - { name: rates, proxy: { url: http://127.0.0.1:9091/ }, degradeSwitch: checkout.new-pricing }',
          '  - { name: tax, proxy: { url: "ftp://x" } }',
          '',
        ].join('\n'),
      ),
    )
    expect(err.code).toBe(TargetErrorCode.TARGET_INVALID)
    expect(err.exitCode).toBe(2)
    expect(err.message).toContain('bad/target.yaml: dependencies[2].proxy.url')
    const cross = refusal(
      withDependencies(
        [
          '  - { name: rates, proxy: { url: http://127.0.0.1:9091 } }',
          '  - { name: rates, proxy: { url: http://127.0.0.1:9091/ }, degradeSwitch: checkout.new-pricing }',
          '',
        ].join('\n'),
      ),
    )
    expect(cross.message).toContain('bad/target.yaml: dependencies[1].name must be unique')
    expect(cross.message).toContain(
      'dependencies[1].proxy.url must be a proxy of its own: rates is behind it',
    )
    expect(cross.message).toContain('dependencies[1].degradeSwitch must not be flags.flag')
  })
})
