import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { buildFlagsApp, createFlagClient, createFlagStore, loadFlagsFile } from '../services/flags/index.ts'
import type { RedisHandle } from '../services/platform/redis/redis-provisioner.ts'
import { ms, summarize } from './percentiles.ts'

const FLAG = 'checkout.new-pricing'
const API_INSTANCES = 4
/** The drill's lease, as `firedrill run` takes it. */
const TTL_MS = 5000
const HOLDER = join(import.meta.dirname, '..', 'services', 'leases', 'testing', 'lease-holder-process.ts')

/**
 * The dead man's switch: a process holding a drill's lease (as the drill does, with its default TTL) turns the
 * release flag on for everyone, then its whole process group is killed with SIGKILL. Measured: from the kill to
 * every api instance of a shop still running on that Redis (a flags service and 4 api flag providers, each with
 * its own connections) serving the flag off. The baseline is the lease's own TTL: the floor, since nothing may
 * revert a lease that has not lapsed.
 */
export async function deadMansSwitch(redis: RedisHandle, trials: number) {
  const safe: number[] = []
  for (let i = 0; i < trials; i++) safe.push(await trial(redis, `bench-dms-${process.pid}-${i}`))
  const s = summarize(safe)
  return {
    lines: [
      `dead man's switch, SIGKILL of the lease holder's process group → the flag serves off in all ${API_INSTANCES} api instances`,
      `  seconds to safe  n=${s.n}  p50 ${ms(s.p50)}  max ${ms(s.max)}   lease TTL ${ms(TTL_MS)}`,
      `  ratio to the TTL (the floor): p50 ${(s.p50 / TTL_MS).toFixed(2)}x  max ${(s.max / TTL_MS).toFixed(2)}x   goal: max < TTL + 1 s (${((TTL_MS + 1000) / TTL_MS).toFixed(2)}x)`,
    ],
    safe: s,
  }
}

async function trial(redis: RedisHandle, prefix: string): Promise<number> {
  const store = createFlagStore({ redis: redis.url, prefix })
  await store.seedIfEmpty(await loadFlagsFile())
  const flagsApp = await buildFlagsApp({ redisUrl: redis.url, prefix, token: 'bench-token', seedFile: false })
  await flagsApp.ready()
  const apis = await Promise.all(
    Array.from({ length: API_INSTANCES }, (_, i) =>
      createFlagClient({ redisUrl: redis.url, prefix, domain: `${prefix}-api-${i}` }),
    ),
  )
  const holder: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', HOLDER, redis.url, prefix, FLAG, '100', `bench-run-${prefix}`],
    { stdio: ['ignore', 'pipe', 'inherit'], detached: true },
  )
  try {
    await once(holder.stdout!, 'data')
    const served = () => apis.map((api) => api.provider.evaluate(FLAG, { targetingKey: 'customer-1' }).value)
    await until(() => served().every((v) => v === true), 10_000)
    const killed = performance.now()
    process.kill(-holder.pid!, 'SIGKILL')
    await until(() => served().every((v) => v === false), TTL_MS * 3)
    return performance.now() - killed
  } finally {
    holder.kill('SIGKILL')
    for (const api of apis) await api.close()
    await flagsApp.close()
    await store.close()
  }
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`not within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
