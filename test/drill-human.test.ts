import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { readJournal } from '../record/journal/read-journal.ts'
import { loadScenario } from '../record/scenario/load-scenario.ts'
import { flagsCommand } from '../scripts/commands/flags-command.ts'
import { runDrill } from '../simulator/drill/run-drill.ts'
import { quickScenario } from './support/quick-scenario.ts'
import { testRedisUrl } from './support/redis-sandbox.ts'

describe('a drill with a human responder', () => {
  it('pages the trainee in the terminal, and the clock runs until they turn the flag off themselves', async () => {
    const terminal = new PassThrough()
    let shown = ''
    let trainee: Promise<number> | undefined
    terminal.on('data', (chunk: Buffer) => {
      shown += chunk.toString()
      const found = /FIREDRILL_FLAGS_URL=(\S+) FIREDRILL_FLAGS_TOKEN=(\S+)/.exec(shown)
      if (found === null || trainee !== undefined) return
      // The trainee reads the page, looks around, and flips the kill switch from "another terminal".
      trainee = (async () => {
        process.env.FIREDRILL_FLAGS_TOKEN = found[2]
        await new Promise((r) => setTimeout(r, 300))
        return flagsCommand.run([
          'set',
          'checkout.new-pricing',
          'off',
          '--reason',
          'coupon orders failing since the release',
          '--flags-url',
          found[1]!,
          '--actor',
          'trainee-ana',
        ])
      })()
    })
    const loaded = await loadScenario(await quickScenario())
    const outDir = await mkdtemp(join(tmpdir(), 'firedrill-human-'))
    const previousToken = process.env.FIREDRILL_FLAGS_TOKEN
    try {
      const outcome = await runDrill({
        loaded,
        redisUrl: testRedisUrl(),
        outDir,
        responder: 'human',
        followUp: false,
        human: { out: terminal, input: Object.assign(new PassThrough(), { isTTY: false }) as never },
      })
      expect(outcome.status).toBe('recovered')
    } finally {
      if (previousToken === undefined) delete process.env.FIREDRILL_FLAGS_TOKEN
      else process.env.FIREDRILL_FLAGS_TOKEN = previousToken
    }
    expect(shown).toContain('\u0007')
    expect(shown).toContain('PAGE')
    expect(await trainee).toBe(0)

    const { events } = await readJournal(join(outDir, 'journal.jsonl'))
    const mitigation = events.find((e) => e.type === 'mitigation.applied')
    expect(mitigation?.data).toMatchObject({
      by: 'trainee-ana',
      reason: 'coupon orders failing since the release',
    })
    const page = events.find((e) => e.type === 'page.sent')
    expect(page?.data).toMatchObject({ to: 'trainee' })
  }, 60_000)
})
