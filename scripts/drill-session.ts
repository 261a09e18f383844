import { join } from 'node:path'
import { systemClock } from '../record/clock/clock.ts'
import {
  closeConnection,
  createRedisConnection,
  waitForReady,
} from '../services/platform/redis/redis-connection.ts'
import { provisionRedis } from '../services/platform/redis/redis-provisioner.ts'
import { closeOrphanedRuns } from '../simulator/drill/orphaned-runs.ts'
import { sweepCrashedRunKeys } from '../simulator/drill/run-keys.ts'

/**
 * What every command that runs a drill (`run`, `train`) does around it: finds or starts Redis, tidies after runs
 * that crashed, and turns Ctrl-C, SIGTERM and a closed terminal (SIGHUP) into the abort signal the drill cleans
 * up on. Everything it set up is put back when `drill` settles.
 */
export async function withDrillSession<T>(
  redisOption: string | undefined,
  drill: (session: { redisUrl: string; signal: AbortSignal }) => Promise<T>,
): Promise<T> {
  const redis = await provisionRedis({ url: redisOption })
  try {
    return await withInterrupts(async (signal) => {
      await tidyAfterCrashedRuns(redis.url, (line) => process.stderr.write(`firedrill: ${line}\n`))
      return drill({ redisUrl: redis.url, signal })
    })
  } finally {
    await redis.stop()
  }
}

/**
 * Ctrl-C, SIGTERM and a closed terminal (SIGHUP) become the abort signal `work` cleans up on, and journals of runs
 * whose process died are closed first; a drill on a target needs no Redis, so this is all it takes.
 */
export async function withInterrupts<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const interrupt = new AbortController()
  const onSignal = () => interrupt.abort()
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  process.once('SIGHUP', onSignal)
  // A closed terminal must not turn progress lines into a crash.
  process.stderr.on('error', () => {})
  try {
    return await work(interrupt.signal)
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    process.off('SIGHUP', onSignal)
  }
}

/**
 * Before a drill: journals of runs whose process died are closed (`drill.aborted`, crashed), and the Redis keys
 * of runs whose lease lapsed are removed. Best effort: a failure here never stops the new drill.
 */
async function tidyAfterCrashedRuns(redisUrl: string, say: (line: string) => void): Promise<void> {
  for (const orphan of await closeOrphanedRuns(join(process.cwd(), '.firedrill', 'runs'), systemClock))
    say(`run ${orphan.runId} ${orphan.reason}; its journal now says so`)
  const redis = createRedisConnection(redisUrl, 'command')
  try {
    await waitForReady(redis, 2000)
    for (const swept of await sweepCrashedRunKeys(redis))
      say(`removed ${swept.keys} Redis keys left by crashed run ${swept.runId}`)
  } catch {
    // Redis trouble shows up in the drill's own preflight
  } finally {
    await closeConnection(redis)
  }
}
