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

type FlagsFile = { flags: Record<string, { defaultVariant: string; targeting?: unknown }> }

const readFlags = async (dir: string): Promise<FlagsFile> =>
  JSON.parse(await readFile(join(dir, 'flags.json'), 'utf8')) as FlagsFile

/** The team has released fx-v2, the path that calls the rates service, to everyone: its own change, not the drill's. */
async function releaseFxV2(dir: string): Promise<void> {
  const flags = await readFlags(dir)
  flags.flags['quotes.fx-v2']!.defaultVariant = 'on'
  await writeFile(join(dir, 'flags.json'), `${JSON.stringify(flags, null, 2)}\n`)
}

/** target-dependency-fault with short holds and steady states. */
async function quickScenario(): Promise<string> {
  const text = (await readFile(join(CATALOG, 'target-dependency-fault', 'scenario.yaml'), 'utf8'))
    .replace('durationSeconds: 4', 'durationSeconds: 2')
    .replace(/holdSeconds: \d+/g, 'holdSeconds: 3')
  const folder = await mkdtemp(join(tmpdir(), 'firedrill-quick-dependency-'))
  await writeFile(join(folder, 'scenario.yaml'), text)
  return folder
}

const journalOf = async (runDir: string): Promise<JournalEvent[]> =>
  (await readJournal(join(runDir, 'journal.jsonl'))).events

const dataOf = <T>(events: JournalEvent[], type: JournalEvent['type']) =>
  events.filter((e) => e.type === type).map((e) => e.data as T)

describe('firedrill run --target --scenario target-dependency-fault', () => {
  it("faults the quote service's rates dependency through the proxy, pages, the bot turns the degrade switch on, it recovers, and the fault is cleared", async () => {
    const { dir, targetFile, faults } = await quotesTarget(cleanup)
    await releaseFxV2(dir)
    const out = join(dir, 'run')

    const result = await runCliInProcess([
      'run',
      '--target',
      targetFile,
      '--scenario',
      'target-dependency-fault',
      '--out',
      out,
      '--json',
    ])
    expect(result.code, result.stderr).toBe(0)
    const summary = JSON.parse(result.stdout) as DrillSummary
    expect(summary).toMatchObject({
      scenario: 'target-dependency-fault',
      flag: null,
      degradeSwitch: 'quotes.cached-rates',
      status: 'recovered',
      target: { name: 'quotes', detector: 'firedrill' },
    })
    expect(summary.timings.mttdMs).toBeGreaterThan(0)
    expect(summary.timings.mttrMs).toBeGreaterThan(summary.timings.mttdMs!)
    expect(summary.impact.failedRequests).toBeGreaterThan(0)

    const events = await journalOf(out)
    const types = events.map((e) => e.type)
    expect(events.filter((e) => e.type === 'check.failed')).toEqual([])
    expect(types).toContain('check.passed')
    expect(events.find((e) => e.type === 'drill.started')?.data).toMatchObject({
      strategy: 'dependency-fault',
      dependency: { name: 'rates', degradeSwitch: 'quotes.cached-rates' },
    })
    // The dead man's switch is armed before the proxy's fault is first set.
    expect(types.indexOf('lease.acquired')).toBeLessThan(types.indexOf('dependency.fault'))
    type FaultEvent = { fault: { status?: { code: number; percent: number } } | null; actor: string }
    const changes = dataOf<FaultEvent>(events, 'dependency.fault')
    const set = changes.filter((c) => c.fault !== null)
    expect(set.every((c) => c.actor === 'release-train' && c.fault?.status?.code === 503)).toBe(true)
    expect(set.map((c) => c.fault?.status?.percent)).toEqual(
      [10, 50, 100].slice(0, set.length), // the page may come before the last step
    )
    expect(changes.at(-1)).toMatchObject({ fault: null, actor: 'firedrill-cleanup' })
    expect(events.find((e) => e.type === 'alert.fired')?.data).toMatchObject({
      slo: 'availability',
      pages: true,
    })
    expect(events.find((e) => e.type === 'responder.diagnosed')?.data).toMatchObject({
      action: { kind: 'degrade', flag: 'quotes.cached-rates' },
      evidence: { dependency: { name: 'rates' } },
    })
    expect(events.find((e) => e.type === 'mitigation.applied')?.data).toMatchObject({
      action: 'degrade switch on',
      flag: 'quotes.cached-rates',
      by: 'responder-bot',
    })
    expect(types).toContain('recovery.confirmed')
    // The switch goes back off only after the fault is cleared: off while the dependency failed would fail again.
    const cleared = events.findIndex((e) => e.type === 'dependency.fault' && e.data.fault === null)
    const switchedBack = events.findIndex(
      (e) =>
        e.type === 'flag.changed' &&
        e.data.key === 'quotes.cached-rates' &&
        e.data.to === 'off' &&
        e.data.actor === 'firedrill-cleanup',
    )
    expect(cleared).toBeGreaterThan(-1)
    expect(switchedBack).toBeGreaterThan(cleared)

    // Afterwards: the proxy passes every call on, the switch is off, and the team's own flag is as it left it.
    const state = await faults.get()
    expect(state.fault).toBeNull()
    expect(state.lastChange).toMatchObject({ action: 'clear', who: 'firedrill-cleanup' })
    const flags = await readFlags(dir)
    expect(flags.flags['quotes.cached-rates']).toMatchObject({ defaultVariant: 'off' })
    expect(flags.flags['quotes.fx-v2']).toMatchObject({ defaultVariant: 'on' })

    const postmortem = await readFile(join(out, 'postmortem.md'), 'utf8')
    expect(postmortem).toContain('cause external')
    expect(postmortem).toMatch(/The cause was external: rates/)
    expect(postmortem).toContain('degrade switch quotes.cached-rates')
    expect(postmortem).not.toContain('carries a defect')

    const again = await runCliInProcess(['report', out, '--json'])
    expect(again.code, again.stderr).toBe(0)
    expect((JSON.parse(again.stdout) as DrillSummary).timings).toEqual(summary.timings)
  }, 150_000)

  it('with no degrade switch, the bot escalates, the drill ends the fault, and the action item is to build one', async () => {
    const { dir, targetFile, faults } = await quotesTarget(cleanup, (text) =>
      text.replace(/\n\s+degradeSwitch: quotes\.cached-rates[^\n]*/, ''),
    )
    await releaseFxV2(dir)
    const out = join(dir, 'run')
    const result = await runCliInProcess([
      'run',
      '--target',
      targetFile,
      '--scenario',
      await quickScenario(),
      '--out',
      out,
      '--json',
    ])
    expect(result.code, result.stderr).toBe(0)
    const events = await journalOf(out)
    expect(events.find((e) => e.type === 'responder.diagnosed')?.data).toMatchObject({
      action: { kind: 'escalate' },
    })
    expect(events.find((e) => e.type === 'mitigation.applied')?.data).toMatchObject({
      action: 'dependency fault ended',
      by: 'firedrill',
    })
    expect((await faults.get()).fault).toBeNull()
    const postmortem = await readFile(join(out, 'postmortem.md'), 'utf8')
    expect(postmortem).toContain('no degrade switch')
    expect(postmortem).toMatch(/Build a degrade switch for rates/)
  }, 120_000)

  it("clears the proxy's fault by the dead man's switch when the drill is killed (SIGKILL) mid-fault", async () => {
    const { dir, targetFile, faults } = await quotesTarget(cleanup)
    await releaseFxV2(dir)
    const out = join(dir, 'run')
    const { child, done } = spawnCli([
      'run',
      '--target',
      targetFile,
      '--scenario',
      'target-dependency-fault',
      '--out',
      out,
    ])
    cleanup.push(async () => {
      child.kill('SIGKILL')
      await done
    })
    await until('the fault on the proxy', async () =>
      (await faults.get()).fault !== null ? true : undefined,
    )
    const at = Date.now()
    child.kill('SIGKILL')
    await until(
      'the fault cleared',
      async () => ((await faults.get()).fault === null ? true : undefined),
      15_000,
    )
    expect(Date.now() - at).toBeLessThan(3000)
    expect((await faults.get()).lastChange).toMatchObject({
      action: 'clear',
      who: 'firedrill-dead-man-switch',
    })
    // The journal of the killed drill says who cleared it; the degrade switch, never turned on, stays off.
    const events = await until('the journal entry of the watchdog', async () => {
      const read = await journalOf(out)
      return read.at(-1)?.type === 'dependency.fault' ? read : undefined
    })
    expect(events.at(-1)?.data).toMatchObject({
      dependency: 'rates',
      fault: null,
      actor: 'firedrill-dead-man-switch',
    })
    expect((await readFlags(dir)).flags['quotes.cached-rates']).toMatchObject({ defaultVariant: 'off' })
    const log = await readFile(join(out, 'dead-man-switch.log'), 'utf8')
    expect(log).toMatch(
      /rates's proxy fault cleared at http:.*: lease of run .* expired: the drill's process ended/,
    )
  }, 90_000)
})

describe('run --target --scenario target-dependency-fault refuses a target without that dependency', () => {
  it('exits 2 naming the target file and how to add one, with no stack trace and nothing contacted', async () => {
    const shop = join(import.meta.dirname, '..', 'examples', 'shop-target', 'target.yaml')
    const result = await runCliInProcess(['run', '--target', shop, '--scenario', 'target-dependency-fault'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('lists no dependencies')
    expect(result.stderr).toContain('dependencies: [{ name, proxy: { url } }]')
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })
})
