import { LeaseHolder } from '../../services/leases/index.ts'
import { createRedisConnection } from '../../services/platform/redis/redis-connection.ts'
import type { DrillContext } from './drill-context.ts'
import { registerRun, startKeyKeeper } from './run-keys.ts'

/** The drill's lease on what it changes in the shop: renewed every second, lapses 5 s after the drill dies. */
const LEASE = { ttlMs: 5000, heartbeatMs: 1000, lostAfterMs: 3000 } as const

/**
 * Before anything changes: the drill's own line to Redis, its lease (a lost lease stops the drill), the run
 * registered with the keys it owns (kept from expiring while it runs), journalled as `lease.acquired`.
 */
export async function takeLease(drill: DrillContext): Promise<void> {
  const { runId, prefix, run, journal } = drill
  const control = createRedisConnection(drill.options.redisUrl, 'command')
  drill.control = control
  drill.lease = await LeaseHolder.acquire({
    redis: control,
    prefix,
    holder: runId,
    label: `run ${runId} (pid ${process.pid})`,
    ...LEASE,
    onLost: (reason) =>
      run.stop(
        reason.startsWith('redis unavailable') ? reason : `lease lost: ${reason}`,
        reason.startsWith('redis unavailable') ? 'redis-unavailable' : 'lease-lost',
      ),
  })
  await registerRun(control, {
    runId,
    prefixes: [...drill.ownedPrefixes],
    leasePrefix: prefix,
    holder: runId,
    startedAt: new Date(drill.startedAt).toISOString(),
  })
  drill.keeper = startKeyKeeper(control, drill.ownedPrefixes)
  await journal.append({
    type: 'lease.acquired',
    data: { holder: runId, prefix, ttlMs: LEASE.ttlMs, heartbeatMs: LEASE.heartbeatMs },
  })
}
