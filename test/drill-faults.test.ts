import { mkdtemp, readFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startDrillProcess, until, waitForJournalEvent } from '../faults/drill-process.ts'
import { eventsOf } from '../record/journal/journal-event.ts'
import { readJournal } from '../record/journal/read-journal.ts'
import { createFlagClient } from '../services/flags/create-flag-client.ts'
import { createFlagStore } from '../services/flags/create-flag-store.ts'
import { buildFlagsApp } from '../services/flags/flags-app.ts'
import { RedisFaultModeStore } from '../services/payments/fault-mode-store.ts'
import { createRedisConnection } from '../services/platform/redis/redis-connection.ts'
import { RUNS_REGISTRY, sweepCrashedRunKeys } from '../simulator/drill/run-keys.ts'
import { allGone, killLeftovers, shopProcessesUnder } from './support/process-tree.ts'
import { quickScenario } from './support/quick-scenario.ts'
import { dropPrefix, keysMatching, testRedisUrl } from './support/redis-sandbox.ts'
import { startRestartableRedis } from './support/restartable-redis.ts'
import { spawnCli } from './support/run-cli.ts'

const FLAG = 'checkout.new-pricing'
const LEASE_TTL_MS = 5000

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {})
})

function startDrill(args: string[], env: NodeJS.ProcessEnv = {}) {
  const drill = startDrillProcess(args, env)
  cleanups.push(async () => drill.signalGroup('SIGKILL'))
  return drill
}

describe('a drill whose Redis dies', () => {
  it('aborts within 10 s with exit 1, the abort on disk, and cleanup saying what it could not undo', async () => {
    const server = await startRestartableRedis()
    cleanups.push(() => server.close())
    const out = join(await mkdtemp(join(tmpdir(), 'firedrill-redis-dies-')), 'run')
    const journal = join(out, 'journal.jsonl')
    const { exited } = startDrill(
      [
        '--scenario',
        await quickScenario({ release: { steps: [{ percent: 5, holdSeconds: 30 }] } }),
        '--out',
        out,
        '--redis',
        server.url,
      ],
      { REDIS_URL: undefined },
    )
    await waitForJournalEvent(journal, (e) => e.type === 'release.step', 120_000)

    await server.stop()
    const killedAt = Date.now()
    const code = await exited
    const tookMs = Date.now() - killedAt
    expect(code).toBe(1)
    expect(tookMs).toBeLessThan(10_000)

    const { events } = await readJournal(journal)
    const [aborted] = eventsOf(events, 'drill.aborted')
    expect(aborted?.data).toMatchObject({ condition: 'redis-unavailable' })
    expect(aborted?.data.reason).toMatch(/redis unavailable/)
    expect(Date.parse(aborted!.at) - killedAt).toBeLessThan(10_000)
    const [cleanup] = eventsOf(events, 'cleanup.finished')
    expect(cleanup?.data.failed.map((f) => f.step)).toEqual(
      expect.arrayContaining([expect.stringMatching(/put checkout.new-pricing back/)]),
    )
  }, 180_000)
})

describe('a drill killed with SIGKILL mid-release', () => {
  it('leaves nothing on: its shop processes stop, a shop still running on its Redis serves the flag off within TTL + 1 s, and the run reads as crashed', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'firedrill-killed-')), 'run')
    const journal = join(out, 'journal.jsonl')
    const { signalGroup, exited, child } = startDrill(
      [
        '--scenario',
        await quickScenario({ release: { steps: [{ percent: 100, holdSeconds: 30 }] } }),
        // Nobody answers the page, so the flag stays on until the kill, however slowly this machine runs.
        '--responder',
        'human',
        '--out',
        out,
      ],
      { REDIS_URL: testRedisUrl() },
    )
    const { events } = await waitForJournalEvent(journal, (e) => e.type === 'release.step', 120_000)
    const runId = eventsOf(events, 'drill.started')[0]!.data.runId
    const prefix = `drill-${runId}`
    // A shop that is still running on that Redis when the drill dies: its flag service and two api instances'
    // flag providers (each evaluates in-process, as the api does).
    const flagsApp = await buildFlagsApp({
      redisUrl: testRedisUrl(),
      prefix,
      token: 'a-token-for-this-test',
      seedFile: false,
    })
    await flagsApp.ready()
    cleanups.push(() => flagsApp.close())
    const apis = await Promise.all(
      [0, 1].map(() => createFlagClient({ redisUrl: testRedisUrl(), prefix, resyncIntervalMs: 5000 })),
    )
    for (const api of apis) cleanups.push(() => api.close())
    const on = () => apis.map((api) => api.provider.evaluate(FLAG, { targetingKey: 'customer-7' }).value)
    await until(() => on().every((value) => value === true), 10_000, 'flag on in every api instance')

    // The drill's own shop: the flags service, the workers and the api instances, each a process started from
    // the artifact production runs, each in a process group of its own (the group's SIGKILL does not reach them).
    const shop = await shopProcessesUnder(child.pid!)
    cleanups.push(async () => killLeftovers(shop.map((p) => p.pid)))
    expect(shop.length).toBeGreaterThanOrEqual(3)
    expect(shop.every((p) => p.commandLine.includes(join(out, 'artifacts')))).toBe(true)

    signalGroup('SIGKILL')
    const killedAt = Date.now()
    await exited
    // Each shop process sees its parent go (its IPC channel closes) and stops by itself.
    await allGone(
      shop.map((p) => p.pid),
      10_000,
    )
    const tookMs = await until(() => on().every((value) => value === false), LEASE_TTL_MS + 5000, 'flag off')
    expect(Date.now() - killedAt).toBeLessThan(LEASE_TTL_MS + 1000)
    expect(tookMs).toBeGreaterThan(0)

    const store = createFlagStore({ redis: testRedisUrl(), prefix })
    cleanups.push(() => store.close())
    const audit = (await store.audit(5)).find((entry) => entry.actor === 'lease-watchdog')
    expect(audit?.reason).toMatch(new RegExp(`lease of run ${runId}.* expired`))

    // The run reads as crashed, and its directory can be removed by its owner.
    const report = await spawnCli(['report', out, '--json'], { REDIS_URL: testRedisUrl() }).done
    expect(report.code).toBe(0)
    expect(JSON.parse(report.stdout).status).toBe('crashed')
    const closed = await readJournal(journal)
    expect(eventsOf(closed.events, 'drill.aborted')[0]?.data).toMatchObject({ condition: 'crashed' })
    const artifacts = join(out, 'artifacts')
    expect((await stat(artifacts)).mode & 0o200).toBe(0o200)

    // What the run wrote expires, and a later run's sweep removes it at once.
    await flagsApp.close()
    for (const api of apis) await api.close()
    const redis = createRedisConnection(testRedisUrl(), 'worker')
    cleanups.push(async () => {
      await dropPrefix(redis, prefix)
      await redis.quit()
    })
    const keys = await keysMatching(redis, `${prefix}:*`)
    expect(keys.length).toBeGreaterThan(0)
    // The drill's key keeper gives every key it finds an expiry every 5 s; keys written since its last pass
    // (orders' jobs arrive all the time) have none yet, so some, not all, of them expire.
    const pipeline = redis.pipeline()
    for (const key of keys) pipeline.pttl(key)
    const ttls = ((await pipeline.exec()) ?? []).map(([, ttl]) => ttl as number)
    expect(ttls.filter((ttl) => ttl > 0).length).toBeGreaterThan(0)
    const swept = await sweepCrashedRunKeys(redis)
    expect(swept.find((s) => s.runId === runId)?.keys).toBeGreaterThan(0)
    const left = await keysMatching(redis, `${prefix}*`)
    expect(left).toEqual([])
    expect(await redis.hexists(RUNS_REGISTRY, runId)).toBe(0)
    expect(await readFile(journal, 'utf8')).toContain('"condition":"crashed"')
  }, 180_000)
})

describe('a provider-degradation drill killed with SIGKILL mid-incident', () => {
  it('leaves the payment provider healthy and the degrade switch off within TTL + 1 s, whoever turned it on', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'firedrill-killed-provider-')), 'run')
    const journal = join(out, 'journal.jsonl')
    const { signalGroup, exited } = startDrill(
      [
        '--scenario',
        await quickScenario(
          { release: { strategy: 'provider-fault', steps: [{ percent: 100, holdSeconds: 30 }] } },
          'provider-degradation',
        ),
        // Nobody answers the page: the test turns the degrade switch on itself, as a trainee would.
        '--responder',
        'human',
        '--out',
        out,
      ],
      { REDIS_URL: testRedisUrl() },
    )
    const { events } = await waitForJournalEvent(journal, (e) => e.type === 'release.step', 120_000)
    const runId = eventsOf(events, 'drill.started')[0]!.data.runId
    const prefix = `drill-${runId}`
    const redis = createRedisConnection(testRedisUrl(), 'worker')
    cleanups.push(() => redis.quit())
    const faults = new RedisFaultModeStore(redis, prefix)
    await until(async () => (await faults.get()).mode === 'latency', 10_000, 'the provider slowed')
    const store = createFlagStore({ redis: testRedisUrl(), prefix })
    cleanups.push(() => store.close())
    await store.setFlag(
      'payments.defer-charges',
      { defaultVariant: 'on', targeting: null },
      'trainee',
      'the provider is slow: defer charges',
    )
    const flags = await createFlagClient({ redisUrl: testRedisUrl(), prefix, resyncIntervalMs: 5000 })
    cleanups.push(() => flags.close())
    const deferring = () =>
      flags.provider.evaluate('payments.defer-charges', { targetingKey: 'worker' }).value
    await until(() => deferring() === true, 10_000, 'the degrade switch on')

    signalGroup('SIGKILL')
    const killedAt = Date.now()
    await exited
    await until(async () => (await faults.get()).mode === 'none', LEASE_TTL_MS + 5000, 'the provider healthy')
    await until(() => deferring() === false, LEASE_TTL_MS + 5000, 'the degrade switch off')
    expect(Date.now() - killedAt).toBeLessThan(LEASE_TTL_MS + 1000)
  }, 180_000)
})
