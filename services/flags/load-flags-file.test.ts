import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ServiceErrorCode } from '../platform/errors.ts'
import { checkWithFlagd } from './flag-validation.ts'
import { DEFAULT_FLAGS_FILE, loadFlagsFile, parseFlagsDocument } from './load-flags-file.ts'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'firedrill-flags-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

function seedCopy(): { $schema: string; flags: Record<string, Record<string, unknown>> } {
  return {
    $schema: 'https://flagd.dev/schema/v0/flags.json',
    flags: {
      'checkout.new-pricing': {
        state: 'ENABLED',
        variants: { on: true, off: false },
        defaultVariant: 'off',
        metadata: {
          owner: 'team-checkout',
          type: 'release',
          expiresAt: '2026-12-31',
          removalTicket: 'SHOP-101',
          lifecycle: 'active',
        },
      },
    },
  }
}

async function writeFlags(name: string, content: unknown): Promise<string> {
  const file = join(dir, name)
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content))
  return file
}

describe('the seed flags file', () => {
  it('loads, with both shop flags and their lifecycle metadata', async () => {
    const document = await loadFlagsFile()
    expect(document.$schema).toBe('https://flagd.dev/schema/v0/flags.json')
    expect(document.flags['checkout.new-pricing']).toMatchObject({
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      metadata: { owner: 'team-checkout', type: 'release', removalTicket: 'SHOP-101' },
    })
    expect(document.flags['checkout.accepting-orders']).toMatchObject({
      defaultVariant: 'on',
      metadata: { type: 'kill-switch', owner: 'team-checkout' },
    })
  })

  it("passes flagd's own schema, so flagd can load it unchanged", async () => {
    const document = await loadFlagsFile(DEFAULT_FLAGS_FILE)
    expect(checkWithFlagd(document.flags)).toBeUndefined()
  })
})

describe('a broken flags file', () => {
  const cases: Array<[string, (doc: ReturnType<typeof seedCopy>) => void, string]> = [
    [
      'an unknown state',
      (d) => {
        d.flags['checkout.new-pricing']!.state = 'ON'
      },
      'state',
    ],
    [
      'a default variant that is not a variant',
      (d) => {
        d.flags['checkout.new-pricing']!.defaultVariant = 'maybe'
      },
      'defaultVariant',
    ],
    [
      'no variants',
      (d) => {
        d.flags['checkout.new-pricing']!.variants = {}
      },
      'variants',
    ],
    [
      'variants of mixed types',
      (d) => {
        d.flags['checkout.new-pricing']!.variants = { on: true, off: 'no' }
      },
      'variants',
    ],
    [
      'no owner',
      (d) => void delete (d.flags['checkout.new-pricing']!.metadata as Record<string, unknown>).owner,
      'metadata.owner',
    ],
    [
      'an unknown flag type',
      (d) => {
        ;(d.flags['checkout.new-pricing']!.metadata as Record<string, unknown>).type = 'forever'
      },
      'metadata.type',
    ],
    [
      'a release flag without expiry',
      (d) => void delete (d.flags['checkout.new-pricing']!.metadata as Record<string, unknown>).expiresAt,
      'metadata.expiresAt',
    ],
    [
      'an expiry that is not a date',
      (d) => {
        ;(d.flags['checkout.new-pricing']!.metadata as Record<string, unknown>).expiresAt = 'next spring'
      },
      'metadata.expiresAt',
    ],
    [
      'a release flag without removal ticket',
      (d) => void delete (d.flags['checkout.new-pricing']!.metadata as Record<string, unknown>).removalTicket,
      'metadata.removalTicket',
    ],
    [
      'an unknown lifecycle',
      (d) => {
        ;(d.flags['checkout.new-pricing']!.metadata as Record<string, unknown>).lifecycle = 'zombie'
      },
      'metadata.lifecycle',
    ],
    [
      'a metadata value flagd cannot hold',
      (d) => {
        ;(d.flags['checkout.new-pricing']!.metadata as Record<string, unknown>).team = { a: 1 }
      },
      'metadata.team',
    ],
    [
      'a targeting rule with an unknown operator',
      (d) => {
        d.flags['checkout.new-pricing']!.targeting = { nope: [1, 2] }
      },
      'targeting',
    ],
    [
      'a targeting rule that is not an object',
      (d) => {
        d.flags['checkout.new-pricing']!.targeting = 'fractional'
      },
      'targeting',
    ],
  ]

  it.each(cases)('with %s names the file, the flag and the field', async (_name, breakIt, field) => {
    const document = seedCopy()
    breakIt(document)
    const file = await writeFlags(`broken-${field}.json`, document)
    const err = await loadFlagsFile(file).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: ServiceErrorCode.FLAGS_FILE_INVALID, exitCode: 2 })
    const message = (err as Error).message
    expect(message).toContain(file)
    expect(message).toContain('"checkout.new-pricing"')
    expect(message).toContain(field)
  })

  it('that is not JSON says so', async () => {
    const file = await writeFlags('not-json.json', '{"flags": {')
    await expect(loadFlagsFile(file)).rejects.toMatchObject({ code: ServiceErrorCode.FLAGS_FILE_INVALID })
  })

  it('without a flags object says so', () => {
    expect(() => parseFlagsDocument('{"flag": {}}', 'inline.json')).toThrow(
      expect.objectContaining({ code: ServiceErrorCode.FLAGS_FILE_INVALID }),
    )
  })

  it('that does not exist says so', async () => {
    await expect(loadFlagsFile(join(dir, 'missing.json'))).rejects.toMatchObject({
      code: ServiceErrorCode.FLAGS_FILE_INVALID,
    })
  })

  it('lets long-lived flag types go without expiry or ticket', () => {
    const document = seedCopy()
    const metadata = document.flags['checkout.new-pricing']!.metadata as Record<string, unknown>
    metadata.type = 'kill-switch'
    delete metadata.expiresAt
    delete metadata.removalTicket
    expect(parseFlagsDocument(JSON.stringify(document), 'inline.json').flags).toHaveProperty([
      'checkout.new-pricing',
    ])
  })
})
