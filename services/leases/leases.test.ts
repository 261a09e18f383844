import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { redisSandbox } from '../../test/support/redis-sandbox.ts'
import { startRestartableRedis } from '../../test/support/restartable-redis.ts'
import { createFlagStore } from '../flags/create-flag-store.ts'
import { flagLeaseReverter } from '../flags/flag-lease-reverter.ts'
import { loadFlagsFile } from '../flags/load-flags-file.ts'
import { rolloutTargeting } from '../flags/rollout-targeting.ts'
import { PAYMENTS_FAULT_LEASE, RedisFaultModeStore } from '../payments/fault-mode-store.ts'
import { createRedisConnection } from '../platform/redis/redis-connection.ts'
import { LeaseHolder, LeasesErrorCode, leaseKeys, readLeasedChanges, revertExpiredLeases } from './index.ts'

const FLAG = 'checkout.new-pricing'
/** The killed holder's lease TTL: short, so the test is quick; `npm run bench` measures the default. */
const TTL_MS = 1000
const OFF = { defaultVariant: 'off', targeting: null }
const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {})
})

async function seededSandbox() {
  const sandbox = redisSandbox()
  cleanups.push(() => sandbox.close())
  const store = createFlagStore({ redis: sandbox.redis, prefix: sandbox.prefix })
  await store.seedIfEmpty(await loadFlagsFile())
  return { ...sandbox, store }
}

function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const timer = setInterval(() => {
      if (predicate()) {
        clearInterval(timer)
        resolve()
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(timer)
        reject(new Error(`${what}: not within ${timeoutMs} ms`))
      }
    }, 20)
  })
}

describe('lease holder', () => {
  it('guards a change only while its lease is held, and ending it drops its changes and the lease', async () => {
    const { redis, prefix } = await seededSandbox()
    const lease = await LeaseHolder.acquire({ redis, prefix, holder: randomUUID(), ttlMs: 5000 })
    await lease.guard('flag', FLAG, OFF)
    expect((await readLeasedChanges(redis, prefix)).map((c) => c.resource)).toEqual([`flag:${FLAG}`])
    await lease.end()
    expect(await readLeasedChanges(redis, prefix)).toEqual([])
    expect(await redis.exists(leaseKeys(prefix).lease(lease.holder))).toBe(0)
    await expect(lease.guard('flag', FLAG, OFF)).rejects.toMatchObject({
      code: LeasesErrorCode.LEASE_NOT_HELD,
    })
  })

  it('says the lease is lost when it lapsed before a renewal (the process stalled past its TTL)', async () => {
    const { redis, prefix } = await seededSandbox()
    let lost: string | undefined
    const lease = await LeaseHolder.acquire({
      redis,
      prefix,
      holder: randomUUID(),
      heartbeatMs: 50,
      onLost: (reason) => {
        lost = reason
      },
    })
    cleanups.push(() => lease.end())
    await redis.del(leaseKeys(prefix).lease(lease.holder))
    await waitFor(() => lost !== undefined, 2000, 'lease lost')
    expect(lost).toMatch(/lapsed/)
  })

  it('keeps the lease when its own heartbeat ran late but the lease never lapsed (a process starved of CPU)', async () => {
    const { redis, prefix } = await seededSandbox()
    let lost: string | undefined
    const lease = await LeaseHolder.acquire({
      redis,
      prefix,
      holder: randomUUID(),
      heartbeatMs: 50,
      lostAfterMs: 300,
      onLost: (reason) => {
        lost = reason
      },
    })
    cleanups.push(() => lease.end())
    // The event loop blocked for longer than lostAfterMs, well inside the TTL: no renewal could run.
    const until = Date.now() + 800
    while (Date.now() < until) {
      // busy
    }
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(lost).toBeUndefined()
    expect(await redis.pttl(leaseKeys(prefix).lease(lease.holder))).toBeGreaterThan(4000)
  })

  it('says the lease is lost, within its bound, when Redis goes away', async () => {
    const server = await startRestartableRedis()
    cleanups.push(() => server.close())
    const redis = createRedisConnection(server.url, 'command')
    cleanups.push(async () => redis.disconnect())
    let lost: string | undefined
    const lease = await LeaseHolder.acquire({
      redis,
      prefix: 'lease-test',
      holder: randomUUID(),
      heartbeatMs: 100,
      lostAfterMs: 1000,
      onLost: (reason) => {
        lost = reason
      },
    })
    const killedAt = Date.now()
    await server.stop()
    await waitFor(() => lost !== undefined, 3000, 'lease lost')
    expect(lost).toMatch(/redis unavailable/)
    expect(Date.now() - killedAt).toBeLessThan(2500)
    await lease.end(100).catch(() => {})
  })
})

describe('lease watchdog', () => {
  it('puts a flag back once its lease lapses, once, with the reason in the audit log', async () => {
    const { redis, prefix, store } = await seededSandbox()
    const lease = await LeaseHolder.acquire({
      redis,
      prefix,
      holder: 'run-a',
      label: 'run run-a',
      ttlMs: 200,
    })
    await lease.guard('flag', FLAG, OFF)
    await store.setFlag(FLAG, { targeting: rolloutTargeting(5, 'on', 'off') }, 'release-train', 'canary 5%')
    // Two watchdogs while the lease lives: nothing to do.
    const watch = (claimant: string) =>
      revertExpiredLeases({ redis, prefix, claimant, reverters: { flag: flagLeaseReverter(store) } })
    expect(await watch('flags service')).toEqual([])
    // The holder dies: nothing renews its lease, which lapses (deleted here rather than waited for).
    await redis.del(leaseKeys(prefix).lease(lease.holder))
    const [first, second] = await Promise.all([watch('flags service'), watch('api api-0')])
    expect([...(first ?? []), ...(second ?? [])]).toHaveLength(1)
    expect((await store.get(FLAG))?.targeting).toBeUndefined()
    const [latest] = await store.audit(1)
    expect(latest).toMatchObject({ flag: FLAG, actor: 'lease-watchdog', to: 'off' })
    expect(latest?.reason).toMatch(/lease of run run-a expired/)
    expect(await readLeasedChanges(redis, prefix)).toEqual([])
    await lease.end().catch(() => {})
  })

  it('reads a payment fault set under a lapsed lease as no fault, and clears it', async () => {
    const { redis, prefix } = await seededSandbox()
    const faults = new RedisFaultModeStore(redis, prefix)
    const lease = await LeaseHolder.acquire({ redis, prefix, holder: randomUUID(), ttlMs: 5000 })
    await lease.guard(PAYMENTS_FAULT_LEASE, '', null)
    await faults.set({ mode: 'outage' })
    expect(await faults.get()).toEqual({ mode: 'outage' })
    // Lapse the lease without ending it (as a SIGKILL would, TTL aside).
    await redis.del(leaseKeys(prefix).lease(lease.holder))
    expect(await faults.get()).toEqual({ mode: 'none' })
    expect(await readLeasedChanges(redis, prefix)).toEqual([])
    await lease.end().catch(() => {})
  })
})

describe('dead man’s switch', () => {
  it('a holder killed with SIGKILL: the flag serves off again within its TTL + 1 s, and the fault is gone', async () => {
    const { redis, url, prefix, store } = await seededSandbox()
    const { createFlagClient } = await import('../flags/create-flag-client.ts')
    const client = await createFlagClient({ redisUrl: url, prefix, resyncIntervalMs: 5000 })
    cleanups.push(() => client.close())
    const child: ChildProcess = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(import.meta.dirname, 'testing', 'lease-holder-process.ts'),
        url,
        prefix,
        FLAG,
        '100',
        `run-${randomUUID()}`,
        String(TTL_MS),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    cleanups.push(async () => child.kill('SIGKILL'))
    const [line] = (await Promise.race([
      once(child.stdout!, 'data'),
      once(child, 'exit').then(([code]) => {
        throw new Error(`the lease holder exited with ${code} before it was ready`)
      }),
    ])) as [Buffer]
    expect(line.toString()).toMatch(/ready/)
    await client.provider.sync()
    expect(await client.isEnabled(FLAG, 'customer-1', false)).toBe(true)

    const killedAt = Date.now()
    child.kill('SIGKILL')
    await once(child, 'exit')
    await waitFor(
      () => client.provider.evaluate(FLAG, { targetingKey: 'customer-1' }).value === false,
      7000,
      'flag off',
    )
    const safeAfter = Date.now() - killedAt
    expect(safeAfter).toBeLessThan(TTL_MS + 1000)
    expect((await store.audit(1))[0]).toMatchObject({ flag: FLAG, actor: 'lease-watchdog' })
    expect(await new RedisFaultModeStore(redis, prefix).get()).toEqual({ mode: 'none' })
  })
})
