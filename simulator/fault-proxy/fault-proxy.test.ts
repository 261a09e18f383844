import { once } from 'node:events'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createRedisConnection, waitForReady } from '../../services/platform/redis/redis-connection.ts'
import { redisSandbox } from '../../test/support/redis-sandbox.ts'
import { runCliInProcess, spawnCli } from '../../test/support/run-cli.ts'
import { decideProxyFault } from './decide-proxy-fault.ts'
import { buildFaultProxy } from './fault-proxy.ts'
import { FaultProxyErrorCode } from './fault-proxy-errors.ts'
import { RedisProxyFaultStore } from './redis-proxy-fault-store.ts'

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** The dependency: echoes method, path and body, answers 201 with a header of its own, on keep-alive sockets. */
async function upstream() {
  const sockets = new Set<string>()
  const server = http.createServer((req, res) => {
    sockets.add(`${req.socket.remotePort}`)
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-upstream': 'payments' })
      res.end(
        JSON.stringify({
          method: req.method,
          path: req.url,
          body: Buffer.concat(chunks).toString(),
          host: req.headers.host,
        }),
      )
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  cleanups.push(async () => {
    server.closeAllConnections()
    server.close()
  })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sockets }
}

async function setup(options: { random?: () => number } = {}) {
  const sandbox = redisSandbox()
  cleanups.push(() => sandbox.close())
  const dependency = await upstream()
  const store = new RedisProxyFaultStore(sandbox.redis, sandbox.prefix, 'payments', {
    now: () => 1_700_000_000_000,
  })
  const proxy = buildFaultProxy({ target: dependency.url, store, ...options })
  const url = await proxy.listen()
  cleanups.push(() => proxy.close())
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  cleanups.push(async () => agent.destroy())
  return { sandbox, dependency, store, proxy, url, agent }
}

interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
  ms: number
}

/** One request through the proxy, bounded to 5 s; rejects with the socket error (ECONNRESET) if there is one. */
function request(
  url: string,
  options: { method?: string; path?: string; body?: string; agent?: http.Agent; id?: string } = {},
): Promise<Answer> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}${options.path ?? '/charges'}`,
      {
        method: options.method ?? 'GET',
        agent: options.agent ?? false,
        timeout: 5000,
        headers: options.id === undefined ? {} : { 'x-request-id': options.id },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
            ms: performance.now() - started,
          }),
        )
      },
    )
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')))
    req.on('error', reject)
    if (options.body === undefined) req.end()
    else {
      // Stream the body in two writes.
      req.write(options.body.slice(0, 3))
      req.end(options.body.slice(3))
    }
  })
}

describe('the fault proxy', () => {
  it('passes requests on untouched while no fault is set: status, headers, streamed body, kept-alive sockets', async () => {
    const { url, agent, dependency } = await setup()
    const first = await request(url, { method: 'POST', path: '/charges?x=1', body: '{"amount":450}', agent })
    const second = await request(url, { agent })
    expect(first.status).toBe(201)
    expect(first.headers['x-upstream']).toBe('payments')
    expect(JSON.parse(first.body)).toMatchObject({
      method: 'POST',
      path: '/charges?x=1',
      body: '{"amount":450}',
    })
    expect(JSON.parse(second.body)).toMatchObject({ method: 'GET', path: '/charges' })
    // Both requests came over one proxy→dependency connection.
    expect(dependency.sockets.size).toBe(1)
  })

  it('adds latency to every request', async () => {
    const { url, store } = await setup()
    await store.set({ latency: { ms: 200 } }, 'drill', 'game day: slow payments')
    const answer = await request(url)
    expect(answer.status).toBe(201)
    expect(answer.ms).toBeGreaterThanOrEqual(195)
  })

  it('answers a status code for its share of requests, the same requests for the same seed', async () => {
    const { url, store, agent } = await setup()
    const fault = { status: { code: 503, percent: 30 }, seed: 7 }
    await store.set(fault, 'drill', 'game day: flaky payments')
    const ids = Array.from({ length: 100 }, (_, i) => `order-${i}`)
    const statuses = async () => {
      const answers = []
      for (const id of ids) answers.push((await request(url, { id, agent })).status)
      return answers
    }
    const first = await statuses()
    const expected = ids.map((id) => decideProxyFault(fault, `id:${id}`).status ?? 201)
    expect(first).toEqual(expected)
    const failed = first.filter((s) => s === 503).length
    expect(failed).toBeGreaterThan(15)
    expect(failed).toBeLessThan(45)
    expect(await statuses()).toEqual(first)
  })

  it('resets the connection: the client sees ECONNRESET', async () => {
    const { url, store } = await setup()
    await store.set({ reset: { percent: 100 } }, 'drill', 'game day: connections dropped')
    await expect(request(url)).rejects.toMatchObject({ code: 'ECONNRESET' })
  })

  it('passes requests on again once the fault is cleared, and keeps who cleared it, why and when', async () => {
    const { url, store } = await setup()
    await store.set({ status: { code: 500, percent: 100 } }, 'drill', 'game day')
    expect((await request(url)).status).toBe(500)
    const cleared = await store.clear('the lease lapsed', 'lease')
    expect((await request(url)).status).toBe(201)
    expect(await store.get()).toEqual(cleared)
    expect(cleared).toMatchObject({
      fault: null,
      lastChange: { action: 'clear', who: 'lease', why: 'the lease lapsed', at: 1_700_000_000_000 },
      revision: 2,
    })
  })

  it('follows a change made while it runs, from another connection, at the very next request', async () => {
    const { url, sandbox, agent } = await setup()
    const other = createRedisConnection(sandbox.url, 'command')
    cleanups.push(() => other.quit())
    await waitForReady(other)
    const elsewhere = new RedisProxyFaultStore(other, sandbox.prefix, 'payments')
    const seen: number[] = []
    for (const step of ['pass', 'fail', 'pass', 'fail', 'pass']) {
      if (step === 'fail') await elsewhere.set({ status: { code: 502, percent: 100 } }, 'cli', 'flip')
      else await elsewhere.clear('flip back', 'cli')
      seen.push((await request(url, { agent })).status)
    }
    expect(seen).toEqual([201, 502, 201, 502, 201])
  })

  it('is changed by firedrill proxy fault set and clear, for every proxy on that Redis', async () => {
    const { url, sandbox } = await setup()
    const redisArgs = ['--redis', sandbox.url, '--prefix', sandbox.prefix, '--name', 'payments']
    const set = await runCliInProcess([
      'proxy',
      'fault',
      'set',
      '--status',
      '429',
      '--status-percent',
      '100',
      '--reason',
      'game day',
      '--by',
      'trainer',
      ...redisArgs,
    ])
    expect(set.code, set.stderr).toBe(0)
    expect(JSON.parse(set.stdout)).toMatchObject({
      fault: { status: { code: 429, percent: 100 } },
      lastChange: { who: 'trainer', why: 'game day' },
    })
    expect((await request(url)).status).toBe(429)
    const clear = await runCliInProcess(['proxy', 'fault', 'clear', '--reason', 'done', ...redisArgs])
    expect(clear.code, clear.stderr).toBe(0)
    expect((await request(url)).status).toBe(201)
  })

  it('refuses a wrong fault or target with exit 2, naming the field', async () => {
    const { sandbox } = await setup()
    const redisArgs = ['--redis', sandbox.url, '--prefix', sandbox.prefix]
    const bad = await runCliInProcess([
      'proxy',
      'fault',
      'set',
      '--status',
      '700',
      '--status-percent',
      '10',
      '--reason',
      'x',
      ...redisArgs,
    ])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('status.code')
    const target = await runCliInProcess(['proxy', 'serve', '--target', 'ftp://example', ...redisArgs])
    expect(target.code).toBe(2)
    expect(target.stderr).toContain('--target')
    expect(() =>
      buildFaultProxy({ target: 'nope', store: new RedisProxyFaultStore(sandbox.redis, 'p', 'n') }),
    ).toThrow(expect.objectContaining({ code: FaultProxyErrorCode.TARGET_INVALID }))
  })

  it('answers 502 when the dependency cannot be reached', async () => {
    const { sandbox } = await setup()
    const closed = http.createServer()
    closed.listen(0, '127.0.0.1')
    await once(closed, 'listening')
    const port = (closed.address() as AddressInfo).port
    closed.close()
    await once(closed, 'close')
    const proxy = buildFaultProxy({
      target: `http://127.0.0.1:${port}`,
      store: new RedisProxyFaultStore(sandbox.redis, sandbox.prefix, 'gone'),
    })
    const url = await proxy.listen()
    cleanups.push(() => proxy.close())
    expect((await request(url)).status).toBe(502)
  })

  it('passes requests on when Redis cannot be reached, and counts it', async () => {
    const dependency = await upstream()
    const unreachable = createRedisConnection('redis://127.0.0.1:1', 'command')
    cleanups.push(async () => unreachable.disconnect())
    const proxy = buildFaultProxy({
      target: dependency.url,
      store: new RedisProxyFaultStore(unreachable, 'p', 'payments'),
      faultReadTimeoutMs: 100,
    })
    const url = await proxy.listen()
    cleanups.push(() => proxy.close())
    expect((await request(url)).status).toBe(201)
    expect((await request(url, { path: '/-/health' })).status).toBe(503)
    expect((await request(url, { path: '/-/metrics' })).body).toContain(
      'fault_proxy_config_read_failures_total 1',
    )
  })

  it('reports health and Prometheus metrics on its own paths', async () => {
    const { url, store } = await setup()
    await store.set({ status: { code: 503, percent: 100 }, latency: { ms: 1 } }, 'drill', 'game day')
    await request(url)
    const health = await request(url, { path: '/-/health' })
    expect(health.status).toBe(200)
    expect(JSON.parse(health.body)).toMatchObject({
      status: 'ok',
      fault: { status: { code: 503 } },
      revision: 1,
    })
    const metrics = (await request(url, { path: '/-/metrics' })).body
    expect(metrics).toContain('fault_proxy_requests_total{outcome="status"} 1')
    expect(metrics).toContain('fault_proxy_faults_injected_total{fault="latency"} 1')
    expect(metrics).toContain('fault_proxy_fault_active 1')
  })
})

describe('fault decisions', () => {
  it('are the same for the same seed and request, whatever random says', () => {
    const fault = { status: { code: 503, percent: 50 }, reset: { percent: 10 }, seed: 1 }
    for (let i = 0; i < 200; i++)
      expect(decideProxyFault(fault, `n:${i}`, () => 0)).toEqual(
        decideProxyFault(fault, `n:${i}`, () => 0.99),
      )
  })

  it('use random when no seed is given, and never strike at 0%', () => {
    expect(decideProxyFault({ status: { code: 500, percent: 50 } }, 'n:1', () => 0.1).status).toBe(500)
    expect(decideProxyFault({ status: { code: 500, percent: 50 } }, 'n:1', () => 0.9).status).toBeUndefined()
    expect(decideProxyFault({ reset: { percent: 0 } }, 'n:1', () => 0).reset).toBe(false)
  })
})

describe('firedrill proxy serve', () => {
  it('runs as its own process, injects what the store says, and stops on SIGTERM', async () => {
    const sandbox = redisSandbox()
    cleanups.push(() => sandbox.close())
    const dependency = await upstream()
    const { child, done } = spawnCli([
      'proxy',
      'serve',
      '--target',
      dependency.url,
      '--name',
      'payments',
      '--redis',
      sandbox.url,
      '--prefix',
      sandbox.prefix,
    ])
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL')
    })
    const url = await new Promise<string>((resolve, reject) => {
      let out = ''
      const timer = setTimeout(() => reject(new Error(`no proxy line within 10 s: ${out}`)), 10_000)
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        const match = /^proxy\s+(http:\S+)/m.exec(out)
        if (match) {
          clearTimeout(timer)
          resolve(match[1]!)
        }
      })
    })
    expect((await request(url)).status).toBe(201)
    await new RedisProxyFaultStore(sandbox.redis, sandbox.prefix, 'payments').set(
      { status: { code: 503, percent: 100 } },
      'drill',
      'game day',
    )
    expect((await request(url)).status).toBe(503)
    child.kill('SIGTERM')
    const { code } = await done
    expect(code).toBe(0)
  })
})
