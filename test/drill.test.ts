import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { JournalEvent } from '../record/journal/journal-event.ts'
import { BUFFERED_EVENT_TYPES, eventsOf } from '../record/journal/journal-event.ts'
import { readJournal } from '../record/journal/read-journal.ts'
import { loadScenario } from '../record/scenario/load-scenario.ts'
import { RedisFaultModeStore } from '../services/payments/fault-mode-store.ts'
import { createRedisConnection } from '../services/platform/redis/redis-connection.ts'
import { reportRun } from '../simulator/drill/report-run.ts'
import { runDrill } from '../simulator/drill/run-drill.ts'
import { RUNS_REGISTRY } from '../simulator/drill/run-keys.ts'
import { quickScenario } from './support/quick-scenario.ts'
import { keysMatching, testRedisUrl } from './support/redis-sandbox.ts'
import { runCliInProcess } from './support/run-cli.ts'

const FLAG = 'checkout.new-pricing'

async function drill(scenarioDir: string, extra: Partial<Parameters<typeof runDrill>[0]> = {}) {
  const loaded = await loadScenario(scenarioDir)
  const outDir = await mkdtemp(join(tmpdir(), 'firedrill-run-'))
  const outcome = await runDrill({ loaded, redisUrl: testRedisUrl(), outDir, ...extra })
  const { events } = await readJournal(outcome.journal)
  return { outcome, events, prefix: `drill-${outcome.runId}` }
}

/**
 * What must stay put whatever the drill's outcome: nothing left on, because nothing the run wrote is left at all
 * (its keys removed, the run gone from the registry of live runs), so no flag can be on and no fault set.
 */
async function expectPutBack(prefix: string, runId: string) {
  const redis = createRedisConnection(testRedisUrl(), 'worker')
  try {
    const left = await keysMatching(redis, `${prefix}*`)
    expect(left).toEqual([])
    expect(await redis.hexists(RUNS_REGISTRY, runId)).toBe(0)
  } finally {
    await redis.quit()
  }
}

/**
 * The drill's skeleton: key events in order, without alerts and what follows from their timing (two rules may
 * fire in either order, be held and rearmed, and be grouped into more or fewer notifications), nor when the
 * incident is closed and sent on.
 */
const skeleton = (events: readonly JournalEvent[]) =>
  events
    .filter(
      (e) =>
        !BUFFERED_EVENT_TYPES.has(e.type) &&
        !e.type.startsWith('alert.') &&
        e.type !== 'page.resolved' &&
        e.type !== 'page.delivered',
    )
    .map((e) => (e.type === 'phase.entered' ? `phase:${e.data.phase}` : e.type))

/** The journal of the whole drill, for the determinism test that repeats its workload. */
let wholeDrill: JournalEvent[] | undefined

describe('a whole drill', () => {
  it('releases the bad change, pages, turns the flag off, recovers, and is timed from its journal', async () => {
    const { outcome, events, prefix } = await drill(await quickScenario())
    wholeDrill = events
    expect(outcome.status).toBe('recovered')
    expect(outcome.loopClosed).toBe(true)

    const types = events.map((e) => e.type)
    for (const type of [
      'drill.started',
      'check.passed',
      'change.committed',
      'gate.finished',
      'change.merged',
      'change.deployed',
      'steady-state.checked',
      'traffic.started',
      'release.step',
      'flag.changed',
      'request.first-failure',
      'alert.fired',
      'page.sent',
      'page.acknowledged',
      'mitigation.applied',
      'recovery.confirmed',
      'traffic.stopped',
      'drill.finished',
    ] as const) {
      expect(types, type).toContain(type)
    }
    expect(types).not.toContain('check.failed')
    // The deploy was dark: there is nothing new for users to compare yet, so production is not watched, and why.
    expect(eventsOf(events, 'deploy.watch.skipped')[0]?.data).toMatchObject({
      strategy: 'flag-canary',
      reason: expect.stringContaining('a dark deploy'),
    })
    expect(types).not.toContain('deploy.watch.started')

    const { summary } = await reportRun(outcome.outDir)
    const t = summary.timings
    expect(summary.status).toBe('recovered')
    expect(t.mttdMs).toBeGreaterThan(0)
    expect(t.mttaMs).toBeGreaterThanOrEqual(200)
    expect(t.mttrMs).toBeGreaterThan(t.mttdMs!)
    expect(Date.parse(t.mitigatedAt!)).toBeGreaterThanOrEqual(Date.parse(t.detectedAt!))
    expect(summary.impact.failedRequests).toBeGreaterThan(0)
    expect(summary.impact.failedRequests).toBeLessThan(summary.impact.requests)

    // One page for the incident, on the SLO that burned; the scraped series is in the journal, and replaying it
    // against the drill's own rules fires on the scrape the drill's detector fired on (journalled once that scrape
    // had landed: a scrape's time later at most).
    expect(eventsOf(events, 'page.sent')).toHaveLength(1)
    expect(eventsOf(events, 'page.sent')[0]?.data.slos).toEqual(['orders-availability'])
    const rulesFile = join(outcome.outDir, 'workbook-rules.yaml')
    await writeFile(
      rulesFile,
      'rules:\n  - { name: fast-burn, longWindow: 1h, shortWindow: 5m, burnRate: 14.4 }\n  - { name: slow-burn, longWindow: 6h, shortWindow: 30m, burnRate: 6 }\n',
    )
    const replayed = await runCliInProcess([
      'detect',
      'replay',
      outcome.outDir,
      '--rules',
      rulesFile,
      '--json',
    ])
    expect(replayed.code, replayed.stderr).toBe(0)
    const detectionReplay = JSON.parse(replayed.stdout) as {
      ruleSets: { alerts: { rule: string; afterReleaseMs: number | null }[] }[]
    }
    const [firstFired] = eventsOf(events, 'alert.fired')
    const asRun = detectionReplay.ruleSets[0]!.alerts.find((a) => a.rule === firstFired?.data.alert)
    expect(asRun!.afterReleaseMs!).toBeLessThanOrEqual(t.mttdMs!)
    expect(t.mttdMs! - asRun!.afterReleaseMs!).toBeLessThanOrEqual(2500)
    expect(
      detectionReplay.ruleSets[1]!.alerts.find((a) => a.rule === firstFired?.data.alert)?.afterReleaseMs,
    ).toBe(asRun!.afterReleaseMs)
    expect(summary.postmortem.markdown).toBeTruthy()
    expect(await readFile(summary.postmortem.markdown, 'utf8')).toContain('SLO orders-availability')

    const mitigation = events.find((e) => e.type === 'mitigation.applied')
    expect(mitigation?.data).toMatchObject({ flag: FLAG, by: 'responder-bot' })
    // The bot journalled what it saw and concluded before it acted, and acted on that.
    const [diagnosed] = eventsOf(events, 'responder.diagnosed')
    expect(diagnosed?.data).toMatchObject({ by: 'responder-bot', action: { kind: 'flag-off', flag: FLAG } })
    expect(diagnosed?.data.evidence.slos).toEqual(['orders-availability'])
    expect(events.indexOf(diagnosed!)).toBeLessThan(events.indexOf(mitigation!))
    // The decoy (a harmless flag turned on by someone else after the page) was the latest change, and set aside.
    const [decoy] = eventsOf(events, 'decoy.applied')
    expect(decoy?.data).toMatchObject({ flag: 'checkout.gift-messages', to: 'on', actor: 'storefront-team' })
    expect(diagnosed?.data.evidence.flagChanges[0]?.flag).toBe('checkout.gift-messages')
    expect(diagnosed?.data.setAside.map((s) => s.flag)).toEqual(['checkout.gift-messages'])
    // The bad change travelled as a real change: a commit on a branch, a green gate run on exactly it, a merge.
    const [committed] = eventsOf(events, 'change.committed')
    const [gate] = eventsOf(events, 'gate.finished')
    const [merged] = eventsOf(events, 'change.merged')
    const [built] = eventsOf(events, 'artifact.built')
    const deployed = eventsOf(events, 'change.deployed')
    expect(gate?.data).toMatchObject({ commit: committed?.data.commit, green: true })
    expect(merged?.data).toMatchObject({ commit: committed?.data.commit })
    expect(built?.data.commit).toBe(merged?.data.trunk)
    // Built once: staging and production run the same artifact, and the hash proves it.
    expect(deployed.map((e) => [e.data.environment, e.data.artifact, e.data.commit, e.data.dark])).toEqual([
      ['staging', built?.data.contentHash, merged?.data.trunk, true],
      ['production', built?.data.contentHash, merged?.data.trunk, true],
    ])
    const smoke = eventsOf(events, 'deploy.step').filter((e) => e.data.step === 'smoke.passed')
    // Production's deploy, then the rollback rehearsal on one slot: back to trunk's build before the change and
    // forward again, each leg smoke-checked, before anything was released.
    expect(smoke.map((e) => e.data.environment)).toEqual([
      'staging',
      'production',
      'production',
      'production',
    ])
    const [proof] = eventsOf(events, 'rollback.proved')
    expect(proof?.data).toMatchObject({
      environment: 'production',
      slot: 0,
      current: built?.data.contentHash,
    })
    expect(proof?.data.previous).not.toBe(built?.data.contentHash)
    expect(smoke.map((e) => e.data.contentHash).slice(1)).toEqual([
      built?.data.contentHash,
      proof?.data.previous,
      built?.data.contentHash,
    ])
    const firstStep = eventsOf(events, 'release.step')[0]
    expect(Date.parse(proof?.at ?? '')).toBeLessThan(Date.parse(firstStep?.at ?? ''))
    expect(await readFile(join(outcome.outDir, 'postmortem.md'), 'utf8')).toMatch(
      /Production's rollback was rehearsed before the release: api slot 0 went back to the previous build in \S+ (ms|s) and forward again/,
    )

    // The loop closed: the fix merged through a green gate as the commit closing AI-1, every item holds, and the
    // bad change's code, put back on today's trunk, is stopped by the test the fix added.
    const [fix] = eventsOf(events, 'fix.merged')
    const [replay] = eventsOf(events, 'replay.gated')
    const [verdict] = eventsOf(events, 'verify.finished')
    expect(fix?.data).toMatchObject({ actionItem: 'AI-1', gate: { green: true } })
    expect(replay?.data).toMatchObject({ green: false, blockedBy: ['unit-tests'] })
    expect(verdict?.data).toMatchObject({ holds: true, loop: { holds: true } })
    expect(summary).toMatchObject({ loopClosed: true })

    // Then the release flag closed out: completed, its code path removed through a green gate, archived on trunk.
    expect(outcome.flagClosedOut).toBe(true)
    expect(eventsOf(events, 'flag.lifecycle').map((e) => [e.data.key, e.data.to])).toEqual([
      [FLAG, 'completed'],
      [FLAG, 'archived'],
    ])
    expect(eventsOf(events, 'cleanup.merged')[0]?.data).toMatchObject({ flag: FLAG, gate: { green: true } })
    // The loop still holds on trunk after the close-out, checked as a reviewer would from the command line.
    const sandbox = join(outcome.outDir, 'sandbox')
    const verified = await runCliInProcess(['verify', summary.postmortem.json, '--repo', sandbox, '--json'])
    expect(verified.code, verified.stdout).toBe(0)
    expect(JSON.parse(verified.stdout)).toMatchObject({ holds: true, loop: { holds: true } })

    const postmortem = JSON.parse(await readFile(summary.postmortem.json, 'utf8'))
    expect(postmortem.lessons.wentWell.join('\n')).toMatch(
      /^The responder set aside checkout\.gift-messages/m,
    )
    expect(postmortem.actionItems[0]).toMatchObject({ id: 'AI-1', status: 'done' })
    expect(postmortem.actionItems[0].closedBy).toHaveLength(1)
    expect([fix?.data.commit, fix?.data.trunk]).toContain(postmortem.actionItems[0].closedBy[0])
    // The close-out closed its own item: its commits name it, and cleanup.merged makes it done.
    const cleanup = eventsOf(events, 'cleanup.merged')[0]
    const retire = postmortem.actionItems.find((i: { title: string }) =>
      i.title.startsWith('Retire the flag'),
    )
    expect(retire).toMatchObject({
      id: cleanup?.data.actionItem,
      status: 'done',
      closedBy: [cleanup?.data.commit],
    })
    for (const item of postmortem.actionItems) {
      expect(item.owner).toBeTruthy()
      expect(item.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    }
    await expectPutBack(prefix, outcome.runId)

    // --again: the same workload on the fixed trunk. The gate now refuses the bad change; no incident happens.
    const again = await drill(await quickScenario(), { again: outcome.outDir, followUp: false })
    expect(again.outcome.status).toBe('prevented')
    const [refused] = eventsOf(again.events, 'change.refused')
    expect(refused?.data.blockedBy).toEqual(['unit-tests'])
    expect(eventsOf(again.events, 'change.merged')).toEqual([])
    expect(eventsOf(again.events, 'alert.fired')).toEqual([])
    // Every canary step ran, up to 100 %, and nothing paged.
    expect(eventsOf(again.events, 'release.step').map((e) => e.data.percent)).toEqual([25, 100])
    const againReport = await reportRun(again.outcome.outDir)
    expect(againReport.summary).toMatchObject({ status: 'prevented', impact: { failedRequests: 0 } })
    // Its postmortem is a near miss: no missed page or mitigation claimed, one item that moves the check earlier.
    expect(againReport.postmortem.actionItems.map((i) => [i.type, i.priority])).toEqual([['prevent', 'P2']])
    expect(againReport.postmortem.detection).toMatch(
      /^Caught at the gate, before any release: unit-tests failed/,
    )
    expect(againReport.postmortem.impact.statement).toMatch(/^None from the change/)
    // Its postmortem puts DORA before (the first run: its one production deployment failed) and after side by side.
    const dora = againReport.postmortem.dora
    expect(dora).toMatchObject({ thisRun: 'after', before: { runId: outcome.runId }, missing: null })
    expect(dora.before?.metrics.changeFailureRate).toEqual({ rate: 1, failedDeployments: 1, deployments: 1 })
    // After: production started on the trunk the first run's loop left (its fix and flag close-out), no failure.
    expect(dora.after?.metrics.changeFailureRate).toEqual({ rate: 0, failedDeployments: 0, deployments: 1 })
    // It carries the commits the first run's loop made: the fix and the close-out's three.
    expect(dora.after?.metrics.changeLeadTime.changes).toBe(4)
    // Measured with the first run as history, that deployment ships the fix for the first run's failed one.
    expect(dora.after?.metrics.deploymentReworkRate).toEqual({
      rate: 1,
      reworkDeployments: 1,
      deployments: 1,
    })
    // firedrill dora --compare measures the pair the same way.
    const compared = await runCliInProcess([
      'dora',
      '--compare',
      outcome.outDir,
      again.outcome.outDir,
      '--json',
    ])
    expect(compared.code, compared.stderr).toBe(0)
    expect(JSON.parse(compared.stdout)).toMatchObject({
      a: { metrics: { changeFailureRate: dora.before?.metrics.changeFailureRate } },
      b: { metrics: dora.after?.metrics },
    })

    // The run keeps its artifact's files read-only, and gives its directories back their owner's write bit so
    // a plain recursive remove can clear the run away (checked by mode: the suite may run as root).
    const artifactDir = join(outcome.outDir, 'artifacts', built!.data.commit)
    expect((await stat(join(artifactDir, 'manifest.json'))).mode & 0o222).toBe(0)
    expect((await stat(join(artifactDir, 'services'))).mode & 0o200).toBe(0o200)
    await rm(outcome.outDir, { recursive: true })
  }, 300_000)

  it('sends the same requests and walks the same steps for the same seed', async () => {
    // The whole drill above is one run of this workload (its follow-up comes after the incident and is left
    // out); this is the other. One after the other: two drills at once would race for the CPU.
    expect(wholeDrill, 'the whole drill above ran').toBeDefined()
    // The incident: everything before the follow-up phase, which only the whole drill has (this one journals
    // that its loop was not run instead).
    const incident = (events: readonly JournalEvent[]) => {
      const followUp = events.findIndex(
        (e) => (e.type === 'phase.entered' && e.data.phase === 'follow-up') || e.type === 'loop.not-run',
      )
      return (followUp === -1 ? events : events.slice(0, followUp)).filter((e) => e.type !== 'drill.finished')
    }
    const a = { events: incident(wholeDrill ?? []) }
    const b = { events: incident((await drill(await quickScenario(), { followUp: false })).events) }
    const sequence = (events: readonly JournalEvent[]) =>
      events.find((e) => e.type === 'traffic.stopped')?.data as {
        sequence: { count: number; digest: string }
      }
    expect(sequence(a.events).sequence.count).toBe(200)
    expect(sequence(a.events).sequence).toEqual(sequence(b.events).sequence)
    expect(skeleton(a.events)).toEqual(skeleton(b.events))
  }, 240_000)
})

describe('an aborted drill', () => {
  it('trips the error-budget stop condition and leaves the flag safe and no fault behind', async () => {
    const { outcome, events, prefix } = await drill(
      await quickScenario({ stopConditions: { maxErrorBudgetConsumedPct: 0.2, maxDurationSeconds: 60 } }),
    )
    expect(outcome.status).toBe('aborted')
    const aborted = events.find((e) => e.type === 'drill.aborted')
    expect(aborted?.data).toMatchObject({ condition: 'error-budget' })
    // The abort is journalled when it is decided; cleanup reports what it put back after it.
    expect(events.at(-1)?.type).toBe('cleanup.finished')
    expect(eventsOf(events, 'cleanup.finished')[0]?.data.failed).toEqual([])
    await expectPutBack(prefix, outcome.runId)
  }, 60_000)

  it('stops on Ctrl-C mid-release, clears a payment fault, and puts the flag back', async () => {
    const interrupt = new AbortController()
    const runDir = await mkdtemp(join(tmpdir(), 'firedrill-run-'))
    const faultSet = { done: false }
    const result = drill(await quickScenario(), {
      outDir: runDir,
      signal: interrupt.signal,
      progress: (line) => {
        if (!line.includes('release step 2') || faultSet.done) return
        faultSet.done = true
        void (async () => {
          const { events } = await readJournal(join(runDir, 'journal.jsonl'))
          const [started] = eventsOf(events, 'drill.started')
          if (started === undefined) throw new Error('the journal has no drill.started')
          const redis = createRedisConnection(testRedisUrl(), 'worker')
          await new RedisFaultModeStore(redis, `drill-${started.data.runId}`).set({
            mode: 'outage',
          })
          await redis.quit()
          interrupt.abort()
        })()
      },
    })
    const { outcome, events, prefix } = await result
    expect(outcome.status).toBe('aborted')
    expect(events.find((e) => e.type === 'drill.aborted')?.data).toMatchObject({ condition: 'signal' })
    await expectPutBack(prefix, outcome.runId)
  }, 60_000)
})
