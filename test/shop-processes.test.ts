import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Artifact } from '../gate/build/artifact.ts'
import { removeArtifacts } from '../gate/build/artifact-permissions.ts'
import { buildArtifact } from '../gate/build/build-artifact.ts'
import { ARTIFACT_COMMIT_HEADER } from '../gate/deploy/environment.ts'
import { createSandboxRepo } from '../gate/sandbox/sandbox-repo.ts'
import { FlagsHttpClient } from '../services/flags/index.ts'
import { chargeCount } from '../services/payments/charge-ledger.ts'
import { SHOP_PROCESS_BUNDLE } from '../services/shop/process/start-shop-process.ts'
import {
  type RunningShopProcesses,
  startShopProcesses,
} from '../services/shop/process/start-shop-processes.ts'
import { allGone, killLeftovers } from './support/process-tree.ts'
import { redisSandbox } from './support/redis-sandbox.ts'

const order = (customerId: string) => ({
  customerId,
  items: [{ sku: 'TEA-1', qty: 2, unitPriceCents: 450 }],
  currency: 'EUR',
})

async function post(url: string, body: unknown) {
  const res = await fetch(`${url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

// Four processes start here: a few seconds of CPU each, several times that on a busy two-core machine.
describe('the whole shop as processes, run from an artifact', { timeout: 60_000 }, () => {
  const sandbox = redisSandbox()
  const token = 'processes-test-token'
  let parent: string
  let artifact: Artifact
  let shop: RunningShopProcesses | undefined

  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'firedrill-shop-processes-'))
    const repo = await createSandboxRepo(join(parent, 'shop'))
    artifact = await buildArtifact({ repo, commit: repo.trunk, store: join(parent, 'artifacts') })
    shop = await startShopProcesses(artifact.dir, {
      redisUrl: sandbox.url,
      prefix: sandbox.prefix,
      apiInstances: 2,
      workers: 1,
      flagsToken: token,
      flagsResyncIntervalMs: 500,
      responseHeaders: { [ARTIFACT_COMMIT_HEADER]: artifact.commit },
      logLevel: 'warn',
      output: 'capture',
    })
  }, 90_000)

  afterAll(async () => {
    const pids = shop?.processes.map((p) => p.pid) ?? []
    await shop?.close()
    killLeftovers(pids)
    await sandbox.close()
    await removeArtifacts(parent)
  })

  it("runs every part from the artifact's code, each in a process of its own", async () => {
    const running = shop!
    expect(running.processes.map((p) => p.role)).toEqual(['flags', 'api', 'api', 'worker'])
    expect(new Set([process.pid, ...running.processes.map((p) => p.pid)]).size).toBe(5)
    for (const part of running.processes) {
      const commandLine = await readFile(`/proc/${part.pid}/cmdline`, 'utf8')
      // The artifact's own code, bundled when it was built.
      expect(commandLine.split('\0')).toContain(join(artifact.dir, SHOP_PROCESS_BUNDLE))
    }
    for (const url of running.apiUrls) {
      const res = await fetch(`${url}/healthz`)
      expect(res.headers.get(ARTIFACT_COMMIT_HEADER)).toBe(artifact.commit)
    }
  })

  it('takes an order end to end: api process → queue → worker process → paid, charged once', async () => {
    const running = shop!
    const created = await post(running.apiUrls[0]!, order('cus_processes'))
    expect(created.status).toBe(201)
    const id = String(created.body.orderId)
    const paid = await until('the order to be paid', async () => {
      const body = (await (await fetch(`${running.apiUrls[1]}/orders/${id}`)).json()) as { status: string }
      return body.status === 'paid' ? body : undefined
    })
    expect(paid).toMatchObject({ status: 'paid', totalCents: 900 })
    expect(await chargeCount(sandbox.redis, sandbox.prefix, id)).toBe(1)
  })

  it('a kill-switch flip through the flags process reaches every api process', async () => {
    const running = shop!
    const flags = new FlagsHttpClient({ baseUrl: running.flagsUrl, token })
    await flags.set('checkout.accepting-orders', { defaultVariant: 'off' }, 'test: pause orders')
    try {
      for (const url of running.apiUrls) {
        await until(`${url} to refuse orders`, async () =>
          (await post(url, order('cus_flip'))).status === 503 ? true : undefined,
        )
      }
    } finally {
      await flags.set('checkout.accepting-orders', { defaultVariant: 'on' }, 'test: resume orders')
    }
  })

  it('close() stops every process', async () => {
    const running = shop!
    await running.close()
    await allGone(
      running.processes.map((p) => p.pid),
      1000,
    )
    for (const part of running.processes) expect(await part.exited).toEqual({ code: 0, signal: null })
  })
})
