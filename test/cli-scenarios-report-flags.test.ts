import { once } from 'node:events'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { RecordErrorCode } from '../record/errors.ts'
import { sampleDrillJournal } from '../record/journal/sample-drill-journal.ts'
import { SCENARIO_CATALOG_DIR } from '../record/scenario/scenario-catalog.ts'
import { CliErrorCode } from '../scripts/cli-errors.ts'
import { flagsCommand, switchChange } from '../scripts/commands/flags-command.ts'
import { reportCommand } from '../scripts/commands/report-command.ts'
import {
  buildFlagsApp,
  FlagsErrorCode,
  FlagsHttpClient,
  type FlagView,
  rolloutTargeting,
} from '../services/flags/index.ts'
import { ServiceErrorCode } from '../services/platform/errors.ts'
import { redisSandbox } from './support/redis-sandbox.ts'
import { runCliInProcess, spawnCli } from './support/run-cli.ts'

const PRICING = 'checkout.new-pricing'
const TOKEN = 'cli-flags-test-token'
const STACK = /\n\s+at /

const spawnCliDone = async (args: string[]) => spawnCli(args).done
const cli = runCliInProcess

const work = await mkdtemp(join(tmpdir(), 'firedrill-cli-'))
afterAll(() => rm(work, { recursive: true, force: true }))
afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllEnvs()
})

let runs = 0
/** A run directory as a drill leaves it: the sample journal and the bad-pricing scenario copied in. */
async function handMadeRun(): Promise<string> {
  const dir = join(work, `run-${++runs}`)
  await mkdir(dir, { recursive: true })
  await cp(join(SCENARIO_CATALOG_DIR, 'bad-pricing'), join(dir, 'scenario'), { recursive: true })
  const events = sampleDrillJournal()
  await writeFile(join(dir, 'journal.jsonl'), events.map((e) => `${JSON.stringify(e)}\n`).join(''))
  return dir
}

describe('firedrill scenarios', () => {
  it('lists the catalog with bad-pricing, its title and a one-line description', async () => {
    const { code, stdout, stderr } = await spawnCliDone(['scenarios'])
    expect(code, stderr).toBe(0)
    const lines = stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^bad-pricing\s+Orders with unknown coupon codes fail on the new pricing path$/)
    expect(lines[1]).toMatch(/^\s+The new pricing engine .*\.$/)
    expect(lines[2]).toMatch(/^\s+teaches: A new code path released without a test/)
    // bad-pricing: 5 s steady state twice, holds 5 + 10 + 30 s, 3 s to acknowledge.
    expect(lines[3]).toMatch(
      /^\s+introductory · SLIs orders-availability \(availability\) · up to 63 s of planned waiting, plus the gate runs$/,
    )
  })

  it('says what each catalog drill teaches and how hard it is, and never the mitigation it expects', async () => {
    const { code, stdout } = await cli(['scenarios', '--json'])
    expect(code).toBe(0)
    const listed = JSON.parse(stdout) as Array<Record<string, unknown>>
    // Every scenario folder of the catalog, the latest ones included.
    const folders = (await readdir(SCENARIO_CATALOG_DIR, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
    expect(listed.map((entry) => entry.name).sort()).toEqual(folders.sort())
    expect(folders).toContain('retry-storm')
    for (const entry of listed) {
      expect(entry.teaches, `${entry.name}`).toEqual(expect.any(String))
      expect(['introductory', 'intermediate', 'advanced']).toContain(entry.difficulty)
      expect(JSON.stringify(entry), `${entry.name}`).not.toMatch(
        /turn(s|ed)? (the )?flag off|flag off|roll(s|ed)? back|kill switch|degrade switch/i,
      )
    }
  })

  it('prints the catalog as a JSON array with --json', async () => {
    const { code, stdout } = await cli(['scenarios', '--json'])
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'bad-pricing',
          title: 'Orders with unknown coupon codes fail on the new pricing path',
        }),
      ]),
    )
  })
})

describe('firedrill report', () => {
  it('prints the figures of a run and writes its summary and postmortem', async () => {
    const dir = await handMadeRun()
    const { code, stdout, stderr } = await spawnCliDone(['report', dir])
    expect(code, stderr).toBe(0)
    expect(stdout).toMatch(/^status\s+recovered$/m)
    expect(stdout).toMatch(/^MTTD\s+21\.5 s/m)
    expect(stdout).toMatch(/^MTTA\s+3\.0 s/m)
    expect(stdout).toMatch(/^MTTM\s+3\.5 s/m)
    expect(stdout).toMatch(/^MTTR\s+28\.0 s/m)
    expect(stdout).toMatch(/^impact\s+146 of 1520 requests failed/m)
    expect(stdout).toContain(join(dir, 'postmortem.md'))
    expect(stdout).toContain(join(dir, 'summary.json'))
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'))
    expect(summary).toMatchObject({ status: 'recovered', runId: 'run-sample' })
    expect(await readFile(join(dir, 'postmortem.md'), 'utf8')).not.toBe('')
  })

  it('prints the summary.json object with --json', async () => {
    const dir = await handMadeRun()
    const { code, stdout } = await cli(['report', dir, '--json'])
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toEqual(JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')))
  })

  it('exits 2 with one line and no stack for a directory without a journal', async () => {
    const { code, stdout, stderr } = await spawnCliDone(['report', join(work, 'no-such-run')])
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toContain('journal.jsonl')
    expect(stderr).not.toMatch(STACK)
  })

  it('exits 2 without a run directory', async () => {
    expect((await cli(['report'])).code).toBe(2)
  })

  it('refuses a missing journal with its code', async () => {
    await expect(reportCommand.run([join(work, 'no-such-run')])).rejects.toMatchObject({
      code: RecordErrorCode.JOURNAL_NOT_FOUND,
    })
  })
})

describe('firedrill flags', () => {
  let url: string
  let client: FlagsHttpClient
  let closeAll: () => Promise<void>

  beforeAll(async () => {
    const sandbox = redisSandbox()
    const app = await buildFlagsApp({ redisUrl: sandbox.url, prefix: sandbox.prefix, token: TOKEN })
    url = await app.listen({ host: '127.0.0.1', port: 0 })
    client = new FlagsHttpClient({ baseUrl: url, token: TOKEN })
    closeAll = async () => {
      await app.close()
      await sandbox.close()
    }
  })
  afterAll(() => closeAll())

  it('lists every flag with what it serves and its lifecycle data', async () => {
    const { code, stdout } = await cli(['flags', 'list', '--flags-url', url])
    expect(code).toBe(0)
    const [header, ...rows] = stdout.trimEnd().split('\n')
    expect(header!.split(/\s+/)).toEqual([
      'KEY',
      'STATE',
      'SERVES',
      'OWNER',
      'TYPE',
      'EXPIRES',
      'REMOVAL',
      'LIFECYCLE',
    ])
    const pricing = rows.find((r) => r.startsWith(PRICING))
    expect(pricing?.split(/\s+/)).toEqual([
      PRICING,
      'enabled',
      'off',
      'team-checkout',
      'release',
      '2026-12-31',
      'SHOP-101',
      'active',
    ])
  })

  it('finds the service through FIREDRILL_FLAGS_URL and prints the inventory as JSON', async () => {
    vi.stubEnv('FIREDRILL_FLAGS_URL', url)
    const { code, stdout } = await cli(['flags', 'list', '--json'])
    expect(code).toBe(0)
    expect(JSON.parse(stdout).flags.map((f: FlagView) => f.key)).toContain(PRICING)
  })

  it('turns a flag off mid-rollout with a reason that lands in the audit log', async () => {
    await client.set(PRICING, { targeting: rolloutTargeting(25) }, 'canary step 2', 'firedrill-release')
    vi.stubEnv('FIREDRILL_FLAGS_TOKEN', TOKEN)
    const { code, stdout } = await cli([
      'flags',
      'set',
      PRICING,
      'off',
      '--reason',
      'coupon orders fail',
      '--flags-url',
      url,
      '--actor',
      'alice',
    ])
    expect(code).toBe(0)
    expect(stdout).toContain(`${PRICING}: on for 25% (else off) → off`)
    const [latest] = await client.audit(1)
    expect(latest).toMatchObject({
      flag: PRICING,
      from: 'on for 25% (else off)',
      to: 'off',
      actor: 'alice',
      reason: 'coupon orders fail',
    })
    const { flags } = await client.list()
    expect(flags.find((f) => f.key === PRICING)).not.toHaveProperty('targeting')
  })

  it('turns a flag on for everyone, naming the actor from $USER', async () => {
    vi.stubEnv('FIREDRILL_FLAGS_TOKEN', TOKEN)
    vi.stubEnv('USER', 'bob')
    const { code } = await cli(['flags', 'set', PRICING, 'on', '--reason', 'retry', '--flags-url', url])
    expect(code).toBe(0)
    const [latest] = await client.audit(1)
    expect(latest).toMatchObject({ to: 'on', actor: 'bob', reason: 'retry' })
  })

  it('refuses a change without a token, as bad input', async () => {
    vi.stubEnv('FIREDRILL_FLAGS_TOKEN', undefined)
    const set = flagsCommand.run(['set', PRICING, 'off', '--reason', 'x', '--flags-url', url])
    await expect(set).rejects.toMatchObject({ code: ServiceErrorCode.CONFIG_INVALID, exitCode: 2 })
    expect((await cli(['flags', 'set', PRICING, 'off', '--reason', 'x', '--flags-url', url])).code).toBe(2)
  })

  it('refuses a wrong token, as bad input, changing nothing', async () => {
    vi.stubEnv('FIREDRILL_FLAGS_TOKEN', 'not-the-token')
    const before = (await client.audit(1))[0]?.revision
    const set = flagsCommand.run(['set', PRICING, 'off', '--reason', 'x', '--flags-url', url])
    await expect(set).rejects.toMatchObject({ code: ServiceErrorCode.CONFIG_INVALID, exitCode: 2 })
    expect((await client.audit(1))[0]?.revision).toBe(before)
  })

  it('refuses a change without --reason, or with a value other than on or off', async () => {
    vi.stubEnv('FIREDRILL_FLAGS_TOKEN', TOKEN)
    for (const argv of [
      ['set', PRICING, 'off', '--flags-url', url],
      ['set', PRICING, 'off', '--reason', '  ', '--flags-url', url],
      ['set', PRICING, 'maybe', '--reason', 'x', '--flags-url', url],
      ['set', PRICING, '--reason', 'x'],
      ['frobnicate'],
      [],
    ])
      await expect(flagsCommand.run(argv), argv.join(' ')).rejects.toMatchObject({
        code: CliErrorCode.USAGE,
        exitCode: 2,
      })
  })

  it('names an unknown flag as bad input', async () => {
    vi.stubEnv('FIREDRILL_FLAGS_TOKEN', TOKEN)
    const set = flagsCommand.run(['set', 'checkout.nope', 'off', '--reason', 'x', '--flags-url', url])
    await expect(set).rejects.toMatchObject({
      code: FlagsErrorCode.FLAG_NOT_FOUND,
      flag: 'checkout.nope',
      exitCode: 2,
    })
  })

  it('exits 1, pointing at --flags-url, when nothing answers there', async () => {
    const closed = await closedPortUrl()
    await expect(flagsCommand.run(['list', '--flags-url', closed])).rejects.toMatchObject({
      code: FlagsErrorCode.FLAGS_HTTP_FAILED,
      exitCode: 1,
    })
    const { code, stderr } = await cli(['flags', 'list', '--flags-url', closed])
    expect(code).toBe(1)
    expect(stderr).toContain('--flags-url')
    expect(stderr).not.toMatch(STACK)
  })

  it('refuses a flags URL that is not http(s)', async () => {
    await expect(flagsCommand.run(['list', '--flags-url', 'redis://x'])).rejects.toMatchObject({
      code: CliErrorCode.USAGE,
    })
    vi.stubEnv('FIREDRILL_FLAGS_URL', 'nope')
    await expect(flagsCommand.run(['list'])).rejects.toMatchObject({ code: ServiceErrorCode.CONFIG_INVALID })
  })
})

describe('flag switch', () => {
  const flag = (variants: FlagView['variants'], state: FlagView['state'] = 'ENABLED'): FlagView => ({
    key: 'k',
    state,
    defaultVariant: Object.keys(variants)[0]!,
    variants,
    metadata: {},
    summary: '',
  })

  it("uses the flag's own names for its true and false variants", () => {
    const named = flag({ enabled: true, disabled: false })
    expect(switchChange(named, 'on')).toEqual({ defaultVariant: 'enabled', targeting: null })
    expect(switchChange(named, 'off')).toEqual({ defaultVariant: 'disabled', targeting: null })
  })

  it('falls back to variants named on and off, and enables a disabled flag', () => {
    expect(switchChange(flag({ off: 'v1', on: 'v2' }, 'DISABLED'), 'on')).toEqual({
      defaultVariant: 'on',
      targeting: null,
      state: 'ENABLED',
    })
  })

  it('refuses a flag with no such variant', () => {
    expect(() => switchChange(flag({ red: 'r', blue: 'b' }), 'off')).toThrow(
      expect.objectContaining({ code: CliErrorCode.USAGE }),
    )
  })
})

/** A loopback URL where nothing listens: a port just freed. */
async function closedPortUrl(): Promise<string> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return `http://127.0.0.1:${port}`
}
