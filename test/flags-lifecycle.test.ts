import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import type { FlagsDocument } from '../services/flags/flag-definition.ts'
import { FlagsErrorCode } from '../services/flags/flags-errors.ts'
import {
  auditFlags,
  FLAG_TYPE_LIFETIME_DAYS,
  findCodeReferences,
  flagInventory,
  isPotentiallyStale,
  parseFlagsForAudit,
  transitionFlag,
} from '../services/flags/lifecycle/index.ts'
import { ServiceErrorCode } from '../services/platform/errors.ts'
import { runCliInProcess as cli } from './support/run-cli.ts'

const NOW = new Date('2026-11-23T12:00:00Z')
const NO_REFS = new Map<string, string[]>()

const flag = (metadata: Record<string, string>) => ({
  state: 'ENABLED',
  variants: { on: true, off: false },
  defaultVariant: 'off',
  metadata: { owner: 'team-a', type: 'release', lifecycle: 'active', ...metadata },
})
const GOOD = { expiresAt: '2027-01-31', removalTicket: 'SHOP-1' }
const doc = (flags: Record<string, unknown>): FlagsDocument =>
  parseFlagsForAudit(JSON.stringify({ flags }), 'fixture.json')

const work = await mkdtemp(join(tmpdir(), 'firedrill-flags-lifecycle-'))
afterAll(() => rm(work, { recursive: true, force: true }))
afterEach(() => vi.restoreAllMocks())

let dirs = 0
/** A project folder with a flags file and source files (path → text). */
async function project(flags: Record<string, unknown>, files: Record<string, string> = {}): Promise<string> {
  const dir = join(work, `p${++dirs}`)
  for (const [path, text] of Object.entries({ 'flags.json': JSON.stringify({ flags }, null, 2), ...files })) {
    await mkdir(join(dir, path, '..'), { recursive: true })
    await writeFile(join(dir, path), text)
  }
  return dir
}

describe('flag-debt audit', () => {
  const codes = (document: FlagsDocument, refs: ReadonlyMap<string, readonly string[]> = NO_REFS) =>
    auditFlags(document, { now: NOW, codeRefs: refs }).map((d) => [d.key, d.reasons.map((r) => r.code)])

  it('names each reason a flag is in debt', () => {
    const document = doc({
      'a.unowned': flag({ ...GOOD, owner: '' }),
      'b.no-ticket': flag({ expiresAt: '2027-01-31' }),
      'c.expired': flag({ ...GOOD, expiresAt: '2026-11-22' }),
      'd.stale': flag({ ...GOOD, createdAt: '2026-10-01' }),
      'e.archived': flag({ ...GOOD, lifecycle: 'archived' }),
      'f.operational-no-expiry': flag({ type: 'operational', removalTicket: 'SHOP-2' }),
      'g.clean': flag({ ...GOOD, createdAt: '2026-11-01' }),
    })
    expect(codes(document, new Map([['e.archived', ['src/e.ts']]]))).toEqual([
      ['a.unowned', ['no-owner']],
      ['b.no-ticket', ['no-removal-ticket']],
      ['c.expired', ['past-expiry']],
      ['d.stale', ['potentially-stale']],
      ['e.archived', ['archived-with-references']],
      ['f.operational-no-expiry', ['no-expiry']],
    ])
  })

  it('never counts a kill switch or a permission flag as stale, nor asks them for a ticket', () => {
    const old = { createdAt: '2019-01-01' }
    const document = doc({
      'k.switch': flag({ ...old, type: 'kill-switch' }),
      'p.admin': flag({ ...old, type: 'permission' }),
    })
    expect(codes(document)).toEqual([])
    expect(flagInventory(document, { now: NOW }).map((r) => [r.ageDays, r.potentiallyStale])).toEqual([
      [2883, false],
      [2883, false],
    ])
  })

  it('leaves an archived flag alone once no code refers to it', () => {
    expect(codes(doc({ gone: flag({ ...GOOD, expiresAt: '2020-01-01', lifecycle: 'archived' }) }))).toEqual(
      [],
    )
  })

  it('keeps a plain expiry date valid through that whole day (UTC)', () => {
    const document = doc({ today: flag({ ...GOOD, expiresAt: '2026-11-23' }) })
    expect(codes(document)).toEqual([])
    expect(auditFlags(document, { now: new Date('2026-11-24T00:00:00Z'), codeRefs: NO_REFS })).toHaveLength(1)
  })

  it('is stale exactly when the age passes the type lifetime (property)', () => {
    const types = Object.keys(FLAG_TYPE_LIFETIME_DAYS) as (keyof typeof FLAG_TYPE_LIFETIME_DAYS)[]
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.nat(4000), (type, age) => {
        const lifetime = FLAG_TYPE_LIFETIME_DAYS[type]
        expect(isPotentiallyStale(type, age)).toBe(lifetime !== null && age > lifetime)
        expect(isPotentiallyStale(type, null)).toBe(false)
      }),
    )
  })

  it('refuses a file that is broken beyond missing lifecycle data', () => {
    expect(() => doc({ x: { ...flag(GOOD), defaultVariant: 'maybe' } })).toThrow(
      expect.objectContaining({ code: ServiceErrorCode.FLAGS_FILE_INVALID }),
    )
  })
})

describe('flag lifecycle transitions', () => {
  const one = (lifecycle: string) => doc({ f: flag({ ...GOOD, lifecycle }) })
  const stage = (d: FlagsDocument) => d.flags.f?.metadata.lifecycle

  it('go active → completed → archived, leaving the given document unchanged', () => {
    const active = one('active')
    const completed = transitionFlag(active, 'f', 'completed', { codeRefs: NO_REFS })
    expect(stage(completed)).toBe('completed')
    expect(stage(transitionFlag(completed, 'f', 'archived', { codeRefs: NO_REFS }))).toBe('archived')
    expect(stage(active)).toBe('active')
  })

  it.each([
    ['active', 'archived'],
    ['completed', 'active'],
    ['archived', 'completed'],
    ['completed', 'completed'],
  ] as const)('refuse %s → %s', (from, to) => {
    expect(() => transitionFlag(one(from), 'f', to, { codeRefs: NO_REFS })).toThrow(
      expect.objectContaining({ code: FlagsErrorCode.FLAG_TRANSITION_INVALID, exitCode: 2 }),
    )
  })

  it('refuse to archive while code still refers to the key', () => {
    expect(() =>
      transitionFlag(one('completed'), 'f', 'archived', { codeRefs: new Map([['f', ['a.ts']]]) }),
    ).toThrow(expect.objectContaining({ code: FlagsErrorCode.FLAG_STILL_REFERENCED, files: ['a.ts'] }))
  })

  it('refuse an unknown key', () => {
    expect(() => transitionFlag(one('active'), 'nope', 'completed', { codeRefs: NO_REFS })).toThrow(
      expect.objectContaining({ code: FlagsErrorCode.FLAG_NOT_FOUND }),
    )
  })
})

describe('code references', () => {
  it('are found in source files only: not tests, node_modules, dot folders or excluded files', async () => {
    const dir = await project(
      {},
      {
        'src/pricing.ts': "if (flags.get('shop.beta')) {}",
        'src/other.ts': "flags.get('shop.gamma')",
        'src/pricing.test.ts': "'shop.beta'",
        'test/e2e.ts': "'shop.beta'",
        'node_modules/x/index.ts': "'shop.beta'",
        '.cache/a.ts': "'shop.beta'",
        'src/notes.md': 'shop.beta',
        'src/excluded.ts': "'shop.beta'",
      },
    )
    const refs = await findCodeReferences(dir, ['shop.beta', 'shop.gamma', 'shop.none'], {
      exclude: ['src/excluded.ts'],
    })
    expect(Object.fromEntries(refs)).toEqual({
      'shop.beta': ['src/pricing.ts'],
      'shop.gamma': ['src/other.ts'],
      'shop.none': [],
    })
  })
})

describe('firedrill flags audit', () => {
  it('exits 0 on a clean file', async () => {
    const dir = await project({ clean: flag(GOOD) })
    const { code, stdout } = await cli(['flags', 'audit', '--file', join(dir, 'flags.json'), '--root', dir])
    expect(code).toBe(0)
    expect(stdout).toContain('no flag debt')
  })

  it('exits 1 on debt and prints each reason (JSON too)', async () => {
    const dir = await project(
      { old: flag({ ...GOOD, expiresAt: '2026-01-01' }), done: flag({ ...GOOD, lifecycle: 'archived' }) },
      { 'src/a.ts': "'done'" },
    )
    const args = ['flags', 'audit', '--file', join(dir, 'flags.json'), '--root', dir]
    const text = await cli(args)
    expect(text.code).toBe(1)
    expect(text.stdout).toContain('past-expiry')
    expect(text.stdout).toContain('archived-with-references')
    const json = await cli([...args, '--json'])
    expect(json.code).toBe(1)
    expect((JSON.parse(json.stdout) as { debts: { key: string }[] }).debts.map((d) => d.key)).toEqual([
      'old',
      'done',
    ])
  })

  it('exits 2 on a file that is not a flags file', async () => {
    const dir = await project({})
    await writeFile(join(dir, 'flags.json'), '{ not json')
    expect((await cli(['flags', 'audit', '--file', join(dir, 'flags.json')])).code).toBe(2)
  })

  it("passes on the shop's own flags before the release flag's expiry, and names it once past", async () => {
    const clean = await cli(['flags', 'audit', '--at', '2026-12-01'])
    expect(clean.code, clean.stdout).toBe(0)
    const late = await cli(['flags', 'audit', '--at', '2027-01-01', '--json'])
    expect(late.code).toBe(1)
    const { debts } = JSON.parse(late.stdout) as { debts: { key: string; reasons: { code: string }[] }[] }
    expect(debts.map((d) => [d.key, d.reasons.map((r) => r.code)])).toEqual([
      ['checkout.new-pricing', ['past-expiry', 'potentially-stale']],
    ])
  })

  it('exits 2 on an --at that is not a date', async () => {
    expect((await cli(['flags', 'audit', '--at', 'soon'])).code).toBe(2)
  })
})

describe('firedrill flags list --file', () => {
  it('prints the offline inventory with age, expiry and staleness', async () => {
    const dir = await project({ beta: flag({ ...GOOD, createdAt: '2026-01-01' }) })
    const { code, stdout } = await cli(['flags', 'list', '--file', join(dir, 'flags.json'), '--json'])
    expect(code).toBe(0)
    const [row] = (JSON.parse(stdout) as { flags: Record<string, unknown>[] }).flags
    expect(row).toMatchObject({
      key: 'beta',
      owner: 'team-a',
      removalTicket: 'SHOP-1',
      potentiallyStale: true,
    })
    expect((await cli(['flags', 'list', '--file', join(dir, 'flags.json')])).stdout).toMatch(
      /^beta\s+enabled\s+team-a\s+release\s+\d+d\s+2027-01-31\s+SHOP-1\s+active\s+potentially stale$/m,
    )
  })
})

describe('firedrill flags lifecycle', () => {
  it('writes the next stage into the file, leaving no temporary file behind', async () => {
    const dir = await project({ beta: flag(GOOD) })
    const file = join(dir, 'flags.json')
    expect((await cli(['flags', 'lifecycle', 'beta', 'completed', '--file', file, '--root', dir])).code).toBe(
      0,
    )
    const written = JSON.parse(await readFile(file, 'utf8')) as FlagsDocument
    expect(written.flags.beta?.metadata.lifecycle).toBe('completed')
    expect(await readdir(dir)).toEqual(['flags.json'])
  })

  it('exits 2 and keeps the file when code still refers to the key, then archives once it is gone', async () => {
    const dir = await project({ beta: flag({ ...GOOD, lifecycle: 'completed' }) }, { 'src/a.ts': "'beta'" })
    const file = join(dir, 'flags.json')
    const before = await readFile(file, 'utf8')
    const args = ['flags', 'lifecycle', 'beta', 'archived', '--file', file, '--root', dir]
    const refused = await cli(args)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('src/a.ts')
    expect(await readFile(file, 'utf8')).toBe(before)
    await rm(join(dir, 'src/a.ts'))
    expect((await cli(args)).code).toBe(0)
    expect((JSON.parse(await readFile(file, 'utf8')) as FlagsDocument).flags.beta?.metadata.lifecycle).toBe(
      'archived',
    )
  })

  it('exits 2 on a skipped stage', async () => {
    const dir = await project({ beta: flag(GOOD) })
    const file = join(dir, 'flags.json')
    expect((await cli(['flags', 'lifecycle', 'beta', 'archived', '--file', file, '--root', dir])).code).toBe(
      2,
    )
  })
})
