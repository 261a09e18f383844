/**
 * A stand-in for a drill whose responder paused the fulfilment queue, run as its own process by tests that kill
 * it: takes a lease on the prefix, registers the pause under it, pauses the queue, prints `ready` and waits to be
 * killed. Argv: REDIS_URL PREFIX HOLDER TTL_MS
 */
import { Queue } from 'bullmq'
import { LeaseHolder } from '../../leases/index.ts'
import { FULFILMENT_QUEUE, keyspace } from '../../platform/keys.ts'
import { createRedisConnection } from '../../platform/redis/redis-connection.ts'
import { FULFILMENT_QUEUE_PAUSE_LEASE } from '../fulfilment-queue-pause.ts'

const [url, prefix, holder, ttl] = process.argv.slice(2)
if (url === undefined || prefix === undefined || holder === undefined || ttl === undefined) {
  process.stderr.write('usage: queue-pause-lease-holder REDIS_URL PREFIX HOLDER TTL_MS\n')
  process.exit(2)
}
const redis = createRedisConnection(url, 'command')
const lease = await LeaseHolder.acquire({
  redis,
  prefix,
  holder,
  label: `run ${holder} (pid ${process.pid})`,
  ttlMs: Number(ttl),
  heartbeatMs: Math.max(50, Number(ttl) / 5),
})
await lease.guard(FULFILMENT_QUEUE_PAUSE_LEASE, FULFILMENT_QUEUE, null)
const queue = new Queue(FULFILMENT_QUEUE, {
  connection: createRedisConnection(url, 'worker'),
  prefix: keyspace(prefix).bullPrefix,
})
await queue.pause()
process.stdout.write('ready\n')
setInterval(() => {}, 60_000)
