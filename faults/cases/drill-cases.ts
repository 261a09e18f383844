import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eventsOf } from '../../record/journal/journal-event.ts'
import { createFlagClient } from '../../services/flags/create-flag-client.ts'
import { buildFlagsApp } from '../../services/flags/flags-app.ts'
import { RedisFaultModeStore } from '../../services/payments/fault-mode-store.ts'
import { createRedisConnection } from '../../services/platform/redis/redis-connection.ts'
import { sweepCrashedRunKeys } from '../../simulator/drill/run-keys.ts'
import { quickScenario } from '../../test/support/quick-scenario.ts'
import { startRestartableRedis } from '../../test/support/restartable-redis.ts'
import { startDrillProcess, until, waitForJournalEvent } from '../drill-process.ts'
import { emptyRow, type FaultCase, type FaultRow } from '../fault-case.ts'

const FLAG = 'checkout.new-pricing'
const LEASE_TTL_MS = 5000
const RELEASE_WAIT_MS = 180_000

async function runDir(name: string): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), `firedrill-faults-${name}-`)), 'run')
}

/** A scenario held at one canary step long enough for a fault to strike mid-release. */
const heldRelease = (percent: number) => quickScenario({ release: { steps: [{ percent, holdSeconds: 60 }] } })

/** SIGKILL of the drill's whole process group mid-release; a shop still on its Redis must serve the flag off. */
export const drillKilled: FaultCase = {
  name: 'drill SIGKILL mid-release',
  async run({ redisUrl }) {
    const out = await runDir('killed')
    const drill = startDrillProcess(['--scenario', await heldRelease(100), '--out', out], {
      REDIS_URL: redisUrl,
    })
    const closers: Array<() => Promise<unknown>> = []
    try {
      const { events } = await waitForJournalEvent(
        join(out, 'journal.jsonl'),
        (e) => e.type === 'release.step',
        RELEASE_WAIT_MS,
      )
      const prefix = `drill-${eventsOf(events, 'drill.started')[0]!.data.runId}`
      const flagsApp = await buildFlagsApp({ redisUrl, prefix, token: 'faults-token', seedFile: false })
      await flagsApp.ready()
      closers.push(() => flagsApp.close())
      const apis = await Promise.all([0, 1].map(() => createFlagClient({ redisUrl, prefix })))
      for (const api of apis) closers.push(() => api.close())
      const served = () =>
        apis.map((api) => api.provider.evaluate(FLAG, { targetingKey: 'customer-7' }).value)
      await until(() => served().every((v) => v === true), 10_000, 'flag on everywhere')
      drill.signalGroup('SIGKILL')
      const killedAt = Date.now()
      await drill.exited
      const exitedMs = Date.now() - killedAt
      let safeMs: number | null = null
      try {
        await until(() => served().every((v) => v === false), LEASE_TTL_MS + 1000, 'flag off')
        safeMs = Date.now() - killedAt
      } catch {
        // counted below
      }
      const redis = createRedisConnection(redisUrl, 'worker')
      closers.push(() => redis.quit())
      const fault = await new RedisFaultModeStore(redis, prefix).get()
      const row: FaultRow = {
        ...emptyRow(this.name, `TTL ${LEASE_TTL_MS / 1000} s; 2 api flag providers on the run's Redis`),
        flagsLeftOn: served().filter((v) => v !== false).length,
        faultsLeftOn: fault.mode === 'none' ? 0 : 1,
        secondsToSafe: safeMs === null ? null : safeMs / 1000,
        secondsToExit: exitedMs / 1000,
      }
      return row
    } finally {
      drill.signalGroup('SIGKILL')
      for (const close of closers.reverse()) await close().catch(() => {})
      const redis = createRedisConnection(redisUrl, 'worker')
      await sweepCrashedRunKeys(redis).catch(() => [])
      await redis.quit()
    }
  },
}

/** Ctrl-C (SIGINT to the group) mid-release: the drill must exit with its cleanup, leaving nothing on. */
export const drillInterrupted: FaultCase = {
  name: 'drill Ctrl-C mid-release',
  async run({ redisUrl }) {
    const out = await runDir('interrupted')
    const drill = startDrillProcess(['--scenario', await heldRelease(25), '--out', out], {
      REDIS_URL: redisUrl,
    })
    try {
      const journal = join(out, 'journal.jsonl')
      const { events } = await waitForJournalEvent(journal, (e) => e.type === 'release.step', RELEASE_WAIT_MS)
      const prefix = `drill-${eventsOf(events, 'drill.started')[0]!.data.runId}`
      drill.signalGroup('SIGINT')
      const at = Date.now()
      await drill.exited
      const exitedMs = Date.now() - at
      const left = await leftOn(redisUrl, prefix)
      const { events: after } = await waitForJournalEvent(journal, (e) => e.type === 'cleanup.finished', 1000)
      const cleanup = eventsOf(after, 'cleanup.finished')[0]
      return {
        ...emptyRow(
          this.name,
          `one SIGINT; cleanup failures: ${cleanup?.data.failed.length ?? 'none journalled'}`,
        ),
        ...left,
        secondsToExit: exitedMs / 1000,
      }
    } finally {
      drill.signalGroup('SIGKILL')
    }
  },
}

/** Redis restarts (empty) mid-release: the drill must abort within 10 s, and nothing may come back on. */
export const drillRedisRestart: FaultCase = {
  name: 'Redis restart mid-drill',
  async run() {
    const server = await startRestartableRedis()
    const out = await runDir('redis-restart')
    const drill = startDrillProcess(
      ['--scenario', await heldRelease(25), '--out', out, '--redis', server.url],
      {
        REDIS_URL: undefined,
      },
    )
    try {
      const journal = join(out, 'journal.jsonl')
      const { events } = await waitForJournalEvent(journal, (e) => e.type === 'release.step', RELEASE_WAIT_MS)
      const prefix = `drill-${eventsOf(events, 'drill.started')[0]!.data.runId}`
      await server.stop()
      const at = Date.now()
      await new Promise((resolve) => setTimeout(resolve, 1000))
      await server.start()
      await drill.exited
      const exitedMs = Date.now() - at
      const left = await leftOn(server.url, prefix)
      const { events: after } = await waitForJournalEvent(journal, (e) => e.type === 'drill.aborted', 1000)
      return {
        ...emptyRow(this.name, `aborted: ${eventsOf(after, 'drill.aborted')[0]?.data.condition ?? 'no'}`),
        ...left,
        secondsToExit: exitedMs / 1000,
      }
    } finally {
      drill.signalGroup('SIGKILL')
      await server.close()
    }
  },
}

/** What a run left on: its flag serving anything but off, a payment fault set. */
async function leftOn(
  redisUrl: string,
  prefix: string,
): Promise<Pick<FaultRow, 'flagsLeftOn' | 'faultsLeftOn'>> {
  const redis = createRedisConnection(redisUrl, 'worker')
  try {
    const json = await redis.hget(`${prefix}:flags:definitions`, FLAG)
    const flag =
      json === null
        ? null
        : (JSON.parse(json) as { defaultVariant: string; targeting?: unknown; state: string })
    const on =
      flag !== null &&
      flag.state !== 'DISABLED' &&
      (flag.defaultVariant !== 'off' || flag.targeting !== undefined)
    const fault = await new RedisFaultModeStore(redis, prefix).get()
    return { flagsLeftOn: on ? 1 : 0, faultsLeftOn: fault.mode === 'none' ? 0 : 1 }
  } finally {
    await redis.quit()
  }
}
