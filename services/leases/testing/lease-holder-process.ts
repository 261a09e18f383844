/**
 * A stand-in for a drill, run as its own process by tests that kill it: takes a lease on the prefix, guards the
 * flag and turns it on for a share of customers (as a canary step does), sets a payment fault under the same
 * lease, prints `ready` and waits to be killed. Argv: REDIS_URL PREFIX FLAG PERCENT HOLDER [TTL_MS]
 */
import { createFlagStore } from '../../flags/create-flag-store.ts'
import { rolloutTargeting } from '../../flags/rollout-targeting.ts'
import { PAYMENTS_FAULT_LEASE, RedisFaultModeStore } from '../../payments/fault-mode-store.ts'
import { createRedisConnection } from '../../platform/redis/redis-connection.ts'
import { LeaseHolder } from '../index.ts'

const [url, prefix, flag, percent, holder, ttl] = process.argv.slice(2)
if (url === undefined || prefix === undefined || flag === undefined || holder === undefined) {
  process.stderr.write('usage: lease-holder-process REDIS_URL PREFIX FLAG PERCENT HOLDER\n')
  process.exit(2)
}
const redis = createRedisConnection(url, 'command')
const lease = await LeaseHolder.acquire({
  redis,
  prefix,
  holder,
  label: `run ${holder} (pid ${process.pid})`,
  ...(ttl === undefined ? {} : { ttlMs: Number(ttl), heartbeatMs: Math.max(50, Number(ttl) / 5) }),
})
await lease.guard('flag', flag, { defaultVariant: 'off', targeting: null })
await createFlagStore({ redis, prefix }).setFlag(
  flag,
  { state: 'ENABLED', defaultVariant: 'off', targeting: rolloutTargeting(Number(percent), 'on', 'off') },
  'release-train',
  `canary step: ${percent}%`,
)
await lease.guard(PAYMENTS_FAULT_LEASE, '', null)
await new RedisFaultModeStore(redis, prefix).set({ mode: 'error-rate', percent: 50 })
process.stdout.write('ready\n')
setInterval(() => {}, 60_000)
