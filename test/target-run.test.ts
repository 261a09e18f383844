import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { JournalEvent } from '../record/journal/journal-event.ts'
import { readJournal } from '../record/journal/read-journal.ts'
import { SCENARIO_CATALOG_DIR as CATALOG } from '../record/scenario/scenario-catalog.ts'
import type { DrillSummary } from '../simulator/drill/drill-summary.ts'
import { type Cleanup, quotesTarget } from './support/quotes-service.ts'
import { runCliInProcess, spawnCli } from './support/run-cli.ts'
import { until } from './support/until.ts'

const cleanup: Cleanup = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined)
})

/** The quote service's flag as its flags file holds it. */
async function flagIn(dir: string): Promise<{ defaultVariant: string; targeting?: unknown }> {
  const file = JSON.parse(await readFile(join(dir, 'flags.json'), 'utf8')) as {
    flags: Record<string, { defaultVariant: string; targeting?: unknown }>
  }
  return file.flags['quotes.fx-v2']!
}

/** target-canary with short holds and steady states: for drills whose detection is not what is tested. */
async function quickTargetScenario(): Promise<string> {
  const text = (await readFile(join(CATALOG, 'target-canary', 'scenario.yaml'), 'utf8'))
    .replace('durationSeconds: 4', 'durationSeconds: 2')
    .replace(/holdSeconds: \d+/g, 'holdSeconds: 2')
  // A folder of its own: a drill copies its scenario's whole folder into the run.
  const folder = await mkdtemp(join(tmpdir(), 'firedrill-quick-target-'))
  await writeFile(join(folder, 'scenario.yaml'), text)
  return folder
}

const journalOf = async (runDir: string): Promise<JournalEvent[]> =>
  (await readJournal(join(runDir, 'journal.jsonl'))).events

describe('firedrill run --target: a whole drill on a service firedrill did not start', () => {
  it("releases the quote service's dark change from its flagd file, detects the burn on its own metric names, turns the flag off and recovers", async () => {
    // The change's dependency is down: the proxy in front of the exchange-rate service answers 503.
    const { dir, targetFile, faults } = await quotesTarget(cleanup)
    await faults.set({ status: { code: 503, percent: 100 } }, 'test', 'game day: rates down')
    const out = join(dir, 'run')

    const result = await runCliInProcess(['run', '--target', targetFile, '--out', out, '--json'])
    expect(result.code, result.stderr).toBe(0)
    const summary = JSON.parse(result.stdout) as DrillSummary
    expect(summary).toMatchObject({
      scenario: 'target-canary',
      flag: 'quotes.fx-v2',
      status: 'recovered',
      target: { name: 'quotes', detector: 'firedrill' },
    })
    expect(summary.timings.mttdMs).toBeGreaterThan(0)
    expect(summary.timings.mttrMs).toBeGreaterThan(summary.timings.mttdMs!)
    expect(summary.impact.failedRequests).toBeGreaterThan(0)

    const events = await journalOf(out)
    const types = events.map((e) => e.type)
    // Nothing is touched before the preflight passed and the dead man's switch is armed.
    expect(types.indexOf('lease.acquired')).toBeLessThan(types.indexOf('release.step'))
    expect(events.filter((e) => e.type === 'check.failed')).toEqual([])
    const fired = events.find((e) => e.type === 'alert.fired')
    expect(fired?.data).toMatchObject({ slo: 'availability', pages: true })
    expect(events.find((e) => e.type === 'mitigation.applied')?.data).toMatchObject({
      action: 'flag off',
      flag: 'quotes.fx-v2',
      by: 'responder-bot',
    })
    expect(types).toContain('recovery.confirmed')
    // The flags file the service watches is back as it was: off for everyone, no canary rule.
    expect(await flagIn(dir)).toEqual(expect.objectContaining({ defaultVariant: 'off' }))
    expect((await flagIn(dir)).targeting).toBeUndefined()
    const postmortem = await readFile(join(out, 'postmortem.md'), 'utf8')
    expect(postmortem).toContain('took the path behind quotes.fx-v2')
    expect(postmortem).toMatch(/alert on SLO availability fired/)
    // The target names no repository: the loop stays with the team, and the postmortem says so.
    expect(summary.loopClosed).toBe(false)
    expect(postmortem).toContain(
      'The loop (the fix through the gate, the replay of the change) was not run: the target names no repository (repo in',
    )

    // `report` rebuilds the same figures from the run's directory alone.
    const again = await runCliInProcess(['report', out, '--json'])
    expect(again.code, again.stderr).toBe(0)
    expect((JSON.parse(again.stdout) as DrillSummary).timings).toEqual(summary.timings)
  }, 120_000)

  it("pages a human on call, who turns the flag off in the team's own flags file; the drill sees it, credits them and recovers", async () => {
    const { dir, targetFile, faults } = await quotesTarget(cleanup)
    await faults.set({ status: { code: 503, percent: 100 } }, 'test', 'game day: rates down')
    const out = join(dir, 'run')
    const running = runCliInProcess([
      'run',
      '--target',
      targetFile,
      '--responder',
      'human',
      '--out',
      out,
      '--json',
    ])

    // The engineer on call gets the page, then turns the flag off by hand in the file the service watches.
    await until(
      'the page',
      async () =>
        (await journalOf(out).catch(() => [])).some((e) => e.type === 'page.sent') ? true : undefined,
      90_000,
    )
    const file = join(dir, 'flags.json')
    const flags = JSON.parse(await readFile(file, 'utf8')) as {
      flags: Record<string, { defaultVariant: string; targeting?: unknown }>
    }
    const { targeting: _canary, ...rest } = flags.flags['quotes.fx-v2']!
    flags.flags['quotes.fx-v2'] = { ...rest, defaultVariant: 'off' }
    await writeFile(file, `${JSON.stringify(flags, null, 2)}\n`)

    const result = await running
    expect(result.code, result.stderr).toBe(0)
    expect((JSON.parse(result.stdout) as DrillSummary).status).toBe('recovered')
    // The page named the lever the team has, never a flag service it does not run.
    expect(result.stderr).toContain(`quotes.fx-v2 is in the flagd flags file ${file}`)
    expect(result.stderr).not.toContain('FIREDRILL_FLAGS_URL')

    const events = await journalOf(out)
    expect(events.find((e) => e.type === 'drill.started')?.data).toMatchObject({ responder: 'human' })
    expect(events.find((e) => e.type === 'page.acknowledged')?.data).toMatchObject({ by: 'on-call' })
    expect(events.find((e) => e.type === 'mitigation.applied')?.data).toMatchObject({
      action: 'flag off',
      flag: 'quotes.fx-v2',
      by: 'on-call',
    })
    // The drill never turned the flag off itself: the only change to off after the page is the engineer's.
    const pagedAt = events.findIndex((e) => e.type === 'page.sent')
    const offs = events
      .slice(pagedAt)
      .filter((e) => e.type === 'flag.changed' && (e.data as { percent: number }).percent === 0)
    expect(offs.map((e) => (e.data as { actor: string }).actor)).toEqual(['on-call'])
  }, 150_000)

  it('ends without an incident when the whole release holds and nothing pages, and puts the flag back', async () => {
    // The change's dependency answers: the change is sound.
    const { dir, targetFile } = await quotesTarget(cleanup)
    const out = join(dir, 'run')
    const scenario = await quickTargetScenario()
    const result = await runCliInProcess([
      'run',
      '--target',
      targetFile,
      '--scenario',
      scenario,
      '--out',
      out,
      '--json',
    ])
    expect(result.code).toBe(1)
    const summary = JSON.parse(result.stdout) as DrillSummary
    expect(summary.status).toBe('aborted')
    expect(summary.abortReason).toBe(
      'no page: quotes.fx-v2 reached 100% of traffic and the steady state held, so there was no incident to respond to',
    )
    const events = await journalOf(out)
    expect(
      events.filter((e) => e.type === 'release.step').map((e) => (e.data as { percent: number }).percent),
    ).toEqual([10, 50, 100])
    expect(events.find((e) => e.type === 'drill.aborted')?.data).toMatchObject({ condition: 'no-page' })
    expect((await flagIn(dir)).defaultVariant).toBe('off')
    expect((await flagIn(dir)).targeting).toBeUndefined()
    // Nothing failed, so the postmortem invents no defect for the team's change.
    const postmortem = await readFile(join(out, 'postmortem.md'), 'utf8')
    expect(postmortem).toContain("the service's SLIs showed nothing wrong with the change")
    expect(postmortem).not.toContain('carries a defect')
    expect(postmortem).not.toContain('made the service fail its SLO')
  }, 90_000)

  it("turns the flag off by its dead man's switch when the drill is killed (SIGKILL) mid-release, and when it hangs (SIGSTOP)", async () => {
    const { dir, targetFile } = await quotesTarget(cleanup)
    const scenario = await quickTargetScenario()
    for (const fault of ['SIGKILL', 'SIGSTOP'] as const) {
      const out = join(dir, `run-${fault}`)
      const { child, done } = spawnCli(['run', '--target', targetFile, '--scenario', scenario, '--out', out])
      cleanup.push(async () => {
        child.kill('SIGKILL')
        await done
      })
      // The release has turned the flag on for some of the traffic...
      await until('the first release step', async () => {
        const events = await journalOf(out)
        return events.some((e) => e.type === 'release.step') ? true : undefined
      })
      await until('the flag on in the flags file', async () =>
        (await flagIn(dir)).targeting !== undefined ? true : undefined,
      )
      // ...when the drill dies outright, or stops answering without dying.
      const at = Date.now()
      child.kill(fault)
      await until(
        'the flag back off',
        async () => ((await flagIn(dir)).targeting === undefined ? true : undefined),
        15_000,
      )
      const tookMs = Date.now() - at
      // Killed: its channel closes at once. Hung: the lease (5 s without a heartbeat) lapses.
      expect(tookMs).toBeLessThan(fault === 'SIGKILL' ? 3000 : 5000 + 3000)
      expect((await flagIn(dir)).defaultVariant).toBe('off')
      // The watchdog writes its log line once the flag is off.
      const log = await until('the log of the watchdog', async () => {
        // The line may not be there yet when the file is.
        const text = await readFile(join(out, 'dead-man-switch.log'), 'utf8')
        return /turned off/.test(text) ? text : undefined
      })
      expect(log).toMatch(
        fault === 'SIGKILL'
          ? /quotes\.fx-v2 turned off at .*flags\.json: lease of run .* expired: the drill's process ended/
          : /quotes\.fx-v2 turned off at .*flags\.json: lease of run .* expired: no heartbeat from the drill for 5000 ms/,
      )
      if (fault === 'SIGKILL') {
        // The killed drill's journal says who put the flag back, and a report closes the run as crashed.
        const events = await until('the journal entry of the watchdog', async () => {
          const read = await journalOf(out)
          return read.at(-1)?.type === 'flag.changed' ? read : undefined
        })
        expect(events.at(-1)).toMatchObject({
          type: 'flag.changed',
          data: { key: 'quotes.fx-v2', to: 'off', actor: 'firedrill-dead-man-switch' },
        })
        const report = await runCliInProcess(['report', out, '--json'])
        expect((JSON.parse(report.stdout) as DrillSummary).status).toBe('crashed')
      }
      child.kill('SIGKILL')
      await done
    }
  }, 120_000)
})

describe('run --target refuses a scenario for the wrong service, changing nothing', () => {
  it("exits 2 for a target's scenario without --target, and for the shop's with it", async () => {
    const bare = await runCliInProcess(['run', '--scenario', 'target-canary'])
    expect(bare.code).toBe(2)
    expect(bare.stderr).toContain(
      'drills a target (service.kind target): give the target file with --target FILE',
    )
    const target = join(import.meta.dirname, '..', 'examples', 'quotes-service', 'target.yaml')
    const shop = await runCliInProcess(['run', '--target', target, '--scenario', 'bad-pricing'])
    expect(shop.code).toBe(2)
    expect(shop.stderr).toContain('drills the built-in shop (service.kind builtin-shop), not a target')
    expect(bare.stderr + shop.stderr).not.toMatch(/\n\s+at /)
  })
})
