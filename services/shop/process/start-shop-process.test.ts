import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { createInterface } from 'node:readline'
import { afterEach, describe, expect, it } from 'vitest'
import { allGone, childrenOf, killLeftovers } from '../../../test/support/process-tree.ts'
import { testPrefix, testRedisUrl } from '../../../test/support/redis-sandbox.ts'
import { eventually, testShop } from '../../../test/support/test-shop.ts'
import { ServiceErrorCode } from '../../platform/errors.ts'
import { ShopErrorCode } from '../shop-errors.ts'
import {
  OWN_CODE_ROOT,
  SHOP_PROCESS_ENTRY,
  type ShopProcess,
  startShopProcess,
} from './start-shop-process.ts'

// What the code a shop process runs must never see, and the launcher must not pass on.
process.env.FIREDRILL_GATE_KEY = 'a-secret-the-shop-must-not-see'
process.env.FIREDRILL_FLAGS_TOKEN = 'a-token-only-the-flags-service-gets'

const started: ShopProcess[] = []
const spawned: number[] = []

afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.kill()))
  killLeftovers(spawned.splice(0))
})

async function start(options: Parameters<typeof startShopProcess>[1]): Promise<ShopProcess> {
  const part = await startShopProcess(OWN_CODE_ROOT, { logLevel: 'warn', output: 'capture', ...options })
  started.push(part)
  spawned.push(part.pid)
  return part
}

// Something that starts a shop as processes, as `firedrill serve` or a drill does, and prints their pids.
const PARENT = `
import { startShopProcesses } from ${JSON.stringify(new URL('./start-shop-processes.ts', import.meta.url).href)}
const shop = await startShopProcesses(${JSON.stringify(OWN_CODE_ROOT)}, {
  redisUrl: process.env.REDIS_URL, prefix: process.env.PREFIX, flagsToken: 't', flags: false,
  apiInstances: 1, workers: Number(process.env.WORKERS), logLevel: 'warn', output: 'capture',
})
console.log(JSON.stringify(shop.processes.map((p) => p.pid)))
setInterval(() => {}, 1000)
`

/** Starts PARENT (an api instance, `workers` workers) as the leader of its own process group (as a terminal runs a job); resolves with its shop's pids. */
async function startParent(workers: number): Promise<{ parent: ChildProcess; pids: number[] }> {
  const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', PARENT], {
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
    env: { ...process.env, REDIS_URL: testRedisUrl(), PREFIX: testPrefix(), WORKERS: String(workers) },
  })
  spawned.push(parent.pid!)
  const reader = createInterface({ input: parent.stdout! })
  const first = await Promise.race([
    reader[Symbol.asyncIterator]().next(),
    once(parent, 'exit').then(() => ({ value: undefined })),
  ])
  if (typeof first.value !== 'string') throw new Error('the parent exited before its shop was ready')
  const pids = JSON.parse(first.value) as number[]
  spawned.push(...pids)
  expect(pids).toHaveLength(1 + workers)
  return { parent, pids }
}

// Starting a process costs a few seconds of CPU; on a busy two-core machine, several times that in wall time.
describe('a shop process', { timeout: 40_000 }, () => {
  it('runs one part from the code root in a process of its own, and stops gracefully', async () => {
    const api = await start({ role: 'api', redisUrl: testRedisUrl(), prefix: testPrefix() })
    expect(api.pid).not.toBe(process.pid)
    const environment = (await readFile(`/proc/${api.pid}/environ`, 'utf8')).split('\0')
    expect(environment.filter((v) => v.startsWith('PATH='))).toEqual([`PATH=${process.env.PATH}`])
    expect(environment.filter((v) => v.startsWith('FIREDRILL_'))).toEqual([])
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200)
    const commandLine = (await readFile(`/proc/${api.pid}/cmdline`, 'utf8')).split('\0')
    expect(commandLine).toContain(`${OWN_CODE_ROOT}/${SHOP_PROCESS_ENTRY}`)
    expect(await api.stop()).toEqual({ code: 0, signal: null })
    await allGone([api.pid])
  })

  it('a worker asked to stop finishes the job in hand first, and serves its metrics until then', async () => {
    const shop = testShop()
    try {
      const worker = await start({
        role: 'worker',
        redisUrl: shop.url,
        prefix: shop.prefix,
        paymentsApiKey: shop.apiKey,
      })
      expect(await (await fetch(worker.metricsUrl)).text()).toContain('fulfilment_queue_depth')
      await shop.faults.set({ mode: 'latency', ms: 1500 })
      const order = await shop.placeOrder()
      await eventually('the job to be taken', async () =>
        (await shop.queue.getActiveCount()) > 0 ? true : undefined,
      )
      expect(await worker.stop()).toEqual({ code: 0, signal: null })
      expect((await shop.orders.get(order.id))?.status).toBe('paid')
      expect(await shop.charges(order.id)).toBe(1)
    } finally {
      await shop.close()
    }
  })

  it('says why a part cannot start, with its error code (a port in use)', async () => {
    const holder = createServer().listen(0, '127.0.0.1')
    await once(holder, 'listening')
    const { port } = holder.address() as { port: number }
    try {
      const err = await start({ role: 'api', redisUrl: testRedisUrl(), prefix: testPrefix(), port }).catch(
        (e: unknown) => e,
      )
      expect(err).toMatchObject({
        code: ShopErrorCode.PROCESS_FAILED,
        partCode: ServiceErrorCode.PORT_IN_USE,
        exitCode: 2,
      })
      expect((err as Error).message).toContain(`Port ${port}`)
    } finally {
      holder.close()
    }
  })

  it('refuses a code root that does not hold the shop', async () => {
    await expect(startShopProcess('/tmp', { role: 'api', redisUrl: testRedisUrl() })).rejects.toMatchObject({
      code: ShopErrorCode.CODE_ROOT_INVALID,
      exitCode: 2,
    })
  })

  it('refuses a bad configuration before starting anything', async () => {
    await expect(
      startShopProcess(OWN_CODE_ROOT, { role: 'flags', redisUrl: testRedisUrl() }),
    ).rejects.toMatchObject({ code: ShopErrorCode.PART_CONFIG_INVALID, field: 'flagsToken' })
    expect(await childrenOf(process.pid)).toEqual([])
  })

  it('kills a process that is not ready in time', async () => {
    const err = await start({
      role: 'api',
      redisUrl: testRedisUrl(),
      prefix: testPrefix(),
      startTimeoutMs: 200,
    }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: ShopErrorCode.PROCESS_TIMEOUT })
    expect(await childrenOf(process.pid)).toEqual([])
  })
})

describe('nothing outlives whoever started the shop', { timeout: 40_000 }, () => {
  it('when it is killed outright (SIGKILL)', async () => {
    const { parent, pids } = await startParent(1)
    parent.kill('SIGKILL')
    await allGone(pids, 8000)
  })

  it('when its whole process group is killed (SIGKILL)', async () => {
    const { parent, pids } = await startParent(0)
    process.kill(-parent.pid!, 'SIGKILL')
    await allGone(pids, 8000)
  })

  it('when its terminal is closed (SIGHUP to its process group)', async () => {
    const { parent, pids } = await startParent(0)
    process.kill(-parent.pid!, 'SIGHUP')
    await allGone(pids, 8000)
  })
})
