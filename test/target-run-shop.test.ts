import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { eventsOf } from '../record/journal/journal-event.ts'
import { readJournal } from '../record/journal/read-journal.ts'
import { FlagsHttpClient } from '../services/flags/flags-http-client.ts'
import type { DrillSummary } from '../simulator/drill/drill-summary.ts'
import { runCliInProcess } from './support/run-cli.ts'
import { serveShop, shopTargetFor } from './support/served-shop.ts'

const TOKEN = 'shop-target-run-token'
const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined)
})

describe('firedrill run --target on the shop served as a black box', () => {
  it("releases the change `serve --change` deployed dark, through the shop's flag service, and ends in a postmortem", async () => {
    const shop = await serveShop(TOKEN, ['--api', '2', '--workers', '0', '--change', 'bad-pricing'])
    cleanup.push(() => shop.stop())
    const targetFile = await shopTargetFor(shop)
    const out = join(targetFile, '..', 'run')
    const saved = process.env.FIREDRILL_FLAGS_TOKEN
    process.env.FIREDRILL_FLAGS_TOKEN = TOKEN
    cleanup.push(async () => {
      if (saved === undefined) delete process.env.FIREDRILL_FLAGS_TOKEN
      else process.env.FIREDRILL_FLAGS_TOKEN = saved
    })

    const result = await runCliInProcess(['run', '--target', targetFile, '--out', out, '--json'])
    expect(result.code, result.stderr).toBe(0)
    const summary = JSON.parse(result.stdout) as DrillSummary
    expect(summary).toMatchObject({
      flag: 'checkout.new-pricing',
      status: 'recovered',
      target: { name: 'shop', detector: 'firedrill' },
    })
    expect(summary.impact.failedRequests).toBeGreaterThan(0)

    // Every change went through the shop's own flag service, credited to who made it, with a reason.
    const audit = await new FlagsHttpClient({ baseUrl: shop.flags }).audit(20)
    const mine = audit.filter((e) => e.flag === 'checkout.new-pricing')
    expect(mine.map((e) => e.actor)).toContain('release-train')
    expect(mine[0]).toMatchObject({ actor: 'responder-bot', to: 'off' })
    expect(mine[0]!.reason).toMatch(/paged: .*turning it off/)

    const { events } = await readJournal(join(out, 'journal.jsonl'))
    expect(eventsOf(events, 'request.first-failure')[0]?.data.status).toBe('500')
    const postmortem = await readFile(join(out, 'postmortem.md'), 'utf8')
    expect(postmortem).toContain('checkout.new-pricing')
  }, 120_000)
})

describe('firedrill serve --change', () => {
  it('serves only a change that ships dark behind a flag: another is a usage error, with nothing started', async () => {
    const result = await runCliInProcess(['serve', '--change', 'unflagged-change', '--port', '0'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(
      '--change unflagged-change: only a change that ships dark behind a flag can be served',
    )
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })
})
