import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { JournalBuilder } from '../record/journal/journal-builder.ts'
import type { DetectionReplay } from '../simulator/detection/replay/replay-detection.ts'
import { testRedisUrl } from './support/redis-sandbox.ts'
import { runCliInProcess, spawnCli } from './support/run-cli.ts'

const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined)
})

const SCALE = 1 / 240

/**
 * A drill's journal as detection wrote it: 40 requests a second scraped every 250 ms for 50 s; a spike of 50 %
 * errors for half a second in the steady state before; the release at 5 s with 30 % errors until the flag goes
 * off at 25 s; the steady state after from 40 s to 45 s.
 */
function journal(withSeries = true): string {
  const j = new JournalBuilder()
  j.at(0).started('run-replay', { timeScale: SCALE })
  j.at(0).add('phase.entered', { phase: 'steady-state-before' })
  j.at(0).add('detection.started', {
    slos: [
      {
        name: 'orders-availability',
        sli: 'availability',
        description: 'POST /orders answered without a 5xx',
        objective: 0.99,
      },
    ],
    rules: [
      {
        name: 'fast-burn',
        severity: 'page',
        burnRate: 14.4,
        longWindow: '1h',
        shortWindow: '5m',
        longWindowMs: 15_000,
        shortWindowMs: 1250,
      },
      {
        name: 'slow-burn',
        severity: 'page',
        burnRate: 6,
        longWindow: '6h',
        shortWindow: '30m',
        longWindowMs: 90_000,
        shortWindowMs: 7500,
      },
    ],
    targets: ['http://127.0.0.1:1'],
    scrapeIntervalMs: 250,
    evaluationIntervalMs: 250,
    evaluateOnScrape: true,
    keepFiringForMs: 2500,
    grouping: { groupBy: [], groupWaitMs: 125, groupIntervalMs: 1250, repeatIntervalMs: 60_000 },
    pageSeverities: ['page', 'critical'],
  })
  let total = 0
  let bad = 0
  for (let t = 0; t <= 50_000; t += 250) {
    if (t === 5000) {
      j.at(t).add('phase.entered', { phase: 'release' })
      j.at(t).add('release.step', { flag: 'f', step: 1, percent: 25, holdSeconds: 30 })
    }
    if (t === 40_000) j.at(t).add('phase.entered', { phase: 'steady-state-after' })
    if (t === 45_000) j.at(t).add('phase.entered', { phase: 'cleanup' })
    if (t > 0) {
      total += 10
      bad += t > 2000 && t <= 2500 ? 5 : t > 5000 && t <= 25_000 ? 3 : 0
    }
    if (withSeries)
      j.at(t).add('sli.sampled', {
        scrapedAt: j.iso(t),
        slis: { 'orders-availability': { total, bad } },
        up: 1,
        targets: 1,
      })
  }
  return `${j
    .build()
    .map((e) => JSON.stringify(e))
    .join('\n')}\n`
}

async function runDir(withSeries = true) {
  const dir = await mkdtemp(join(tmpdir(), 'firedrill-replay-'))
  cleanup.push(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'journal.jsonl'), journal(withSeries))
  return dir
}

async function rulesFile(dir: string, name: string, text: string) {
  const file = join(dir, name)
  await writeFile(file, text)
  return file
}

describe('firedrill detect replay', () => {
  it('says when each rule set would have fired and how often during the steady states', async () => {
    const dir = await runDir()
    const twitchy = await rulesFile(
      dir,
      'twitchy.yaml',
      'rules:\n  - { name: twitchy, severity: page, longWindow: 10m, shortWindow: 1m, burnRate: 2 }\nkeepFiringFor: 0s\n',
    )
    const result = await runCliInProcess(['detect', 'replay', dir, '--rules', twitchy, '--json'])
    expect(result.code, result.stderr).toBe(0)
    const replay = JSON.parse(result.stdout) as DetectionReplay
    expect(replay).toMatchObject({ runId: 'run-replay', samples: 201 })
    expect(replay.steadyStates.map((s) => s.when)).toEqual(['before', 'after'])
    const [asRun, other] = replay.ruleSets
    expect(asRun!.name).toBe('as run')
    const fast = asRun!.alerts.find((a) => a.rule === 'fast-burn')!
    // 30 % errors against the 14.4 × 1 % threshold: the 15 s window, holding 5 s of clean history and the spike,
    // crosses about 3 s after the release.
    expect(fast.afterReleaseMs).toBeGreaterThanOrEqual(2750)
    expect(fast.afterReleaseMs).toBeLessThanOrEqual(3500)
    expect(fast).toMatchObject({ firings: 1, inSteadyState: { before: 0, after: 0 } })
    // The twitchy rule catches the release sooner, and also fires on the spike before it: a false alarm.
    const twitch = other!.alerts[0]!
    expect(other!.name).toBe('twitchy.yaml')
    expect(twitch.afterReleaseMs).toBeLessThan(fast.afterReleaseMs!)
    expect(twitch.inSteadyState.before).toBe(1)
    expect(twitch.firings).toBe(2)

    const text = await runCliInProcess(['detect', 'replay', dir, '--rules', twitchy])
    expect(text.stdout).toMatch(/as run\s+fast-burn\s+orders-availability\s+\+3\.\d s\s+1\s+0 \/ 0/)
    expect(text.stdout).toMatch(/twitchy\.yaml\s+twitchy\s+orders-availability\s+\+\d\.\d s\s+2\s+1 \/ 0/)
  })

  it('refuses a rules file that is not one, naming the field and the file, with exit 2', async () => {
    const dir = await runDir()
    const bad = await rulesFile(
      dir,
      'bad.yaml',
      'rules:\n  - { name: x, longWindow: 5m, shortWindow: 1h, burnRate: 2 }\n  - { name: y, longWindow: 1h, shortWindow: 5m, burnRate: -1 }\n',
    )
    const result = await runCliInProcess(['detect', 'replay', dir, '--rules', bad])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('bad.yaml')
    expect(result.stderr).toContain('rules[1].burnRate')
    expect(result.stderr).not.toMatch(/\n\s+at /)
    const shortLong = await rulesFile(
      dir,
      'order.yaml',
      'rules:\n  - { name: x, longWindow: 5m, shortWindow: 1h, burnRate: 2 }\n',
    )
    const second = await runCliInProcess(['detect', 'replay', dir, '--rules', shortLong])
    expect(second.code).toBe(2)
    expect(second.stderr).toContain('rules[0].shortWindow must be shorter than longWindow (5m)')
    const missing = await runCliInProcess(['detect', 'replay', dir])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('--rules FILE is required')
  })

  it('says so when a run holds no SLI series to replay', async () => {
    const dir = await runDir(false)
    const file = await rulesFile(
      dir,
      'r.yaml',
      'rules:\n  - { name: x, longWindow: 1h, shortWindow: 5m, burnRate: 2 }\n',
    )
    const result = await runCliInProcess(['detect', 'replay', dir, '--rules', file])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('holds no SLI series')
  })
})

describe('firedrill run with a page destination that is set but wrong', () => {
  it('exits 2 naming the variable, before it writes anything', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'firedrill-run-')), 'run')
    cleanup.push(() => rm(join(out, '..'), { recursive: true, force: true }))
    const { code, stderr } = await spawnCli(['run', '--out', out, '--redis', testRedisUrl()], {
      FIREDRILL_PAGERDUTY_ROUTING_KEY: 'not-a-key',
    }).done
    expect(code).toBe(2)
    expect(stderr).toContain('FIREDRILL_PAGERDUTY_ROUTING_KEY')
    expect(stderr).not.toMatch(/\n\s+at /)
    await expect(stat(out)).rejects.toMatchObject({ code: 'ENOENT' })
  })
})
