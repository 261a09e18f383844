import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { afterEach, describe, expect, it } from 'vitest'
import { provisionRedis } from '../services/platform/redis/redis-provisioner.ts'
import { allGone, descendantsOf, killLeftovers } from './support/process-tree.ts'
import { testPrefix, testRedisUrl } from './support/redis-sandbox.ts'
import { spawnCli } from './support/run-cli.ts'

const leftovers: number[] = []

afterEach(() => {
  killLeftovers(leftovers.splice(0))
})

/** `firedrill serve …` in a process group of its own, as a terminal runs it; resolves once it says it runs. */
async function serve(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const { child, done } = spawnCli(['serve', '--port', '0', '--prefix', testPrefix(), ...args], {
    REDIS_URL: testRedisUrl(),
    FIREDRILL_FLAGS_TOKEN: 'serve-test-token',
    LOG_LEVEL: 'warn',
    ...env,
  })
  leftovers.push(child.pid!)
  const lines = await readUntil(child, /Ctrl-C stops it/)
  const parts = (await descendantsOf(child.pid!)).filter((p) => p.command === 'node').map((p) => p.pid)
  leftovers.push(...parts)
  return { child, done, lines, parts }
}

async function readUntil(child: ChildProcess, pattern: RegExp): Promise<string[]> {
  const lines: string[] = []
  const reader = createInterface({ input: child.stdout! })
  const exited = once(child, 'exit')
  const iterator = reader[Symbol.asyncIterator]()
  for (;;) {
    const next = await Promise.race([iterator.next(), exited.then(() => ({ done: true, value: '' }))])
    if (next.done) throw new Error(`serve exited before it printed ${pattern}:\n${lines.join('\n')}`)
    lines.push(next.value)
    if (pattern.test(next.value)) return lines
  }
}

/** The URL in a serve line. */
function urlOf(line: string | undefined): string {
  const match = /https?:\/\/\S+/.exec(line ?? '')
  if (match === null) throw new Error(`no URL in ${JSON.stringify(line)}`)
  return match[0]
}

/** The pid a serve line ends with (`… pid 1234`). */
function pidOf(line: string | undefined): number {
  const match = /\bpid (\d+)\s*$/.exec(line ?? '')
  if (match === null) throw new Error(`no pid in ${JSON.stringify(line)}`)
  return Number(match[1])
}

// Each part is a process: a few seconds of CPU each to start, several times that on a busy two-core machine.
describe('firedrill serve', { timeout: 60_000 }, () => {
  it('runs every part of the shop as a process of its own, prints where, and stops them all on Ctrl-C', async () => {
    const { child, done, lines } = await serve(['--api', '2', '--workers', '1'], {
      FIREDRILL_FLAGS_TOKEN: undefined,
    })
    expect(lines.some((l) => /^token\s+\S{20,}\s+\(generated/.test(l))).toBe(true)
    const apis = lines.filter((l) => l.startsWith('api '))
    const flags = lines.find((l) => l.startsWith('flags '))
    const workers = lines.filter((l) => l.startsWith('worker '))
    expect(apis).toHaveLength(2)
    expect(workers).toHaveLength(1)
    const pids = [...apis, flags, ...workers].map(pidOf)
    expect(new Set([child.pid, ...pids]).size).toBe(5)
    const running = (await descendantsOf(child.pid!)).map((p) => p.pid)
    for (const pid of pids) expect(running).toContain(pid)
    for (const line of [...apis, flags]) expect((await fetch(`${urlOf(line)}/healthz`)).status).toBe(200)
    expect(await (await fetch(urlOf(workers[0]))).text()).toContain('fulfilment_queue_depth')

    child.kill('SIGINT')
    expect((await done).code).toBe(0)
    await allGone(pids, 2000)
  })

  it('exits within 5 s of SIGTERM while Redis is down', async () => {
    const redis = await provisionRedis({ env: {}, probeLocal: false })
    try {
      const { child, done, parts } = await serve(['--api', '1', '--workers', '1', '--redis', redis.url])
      await redis.stop()
      const asked = Date.now()
      child.kill('SIGTERM')
      await done
      const took = Date.now() - asked
      expect(took).toBeLessThan(5000)
      await allGone(parts, 1000)
    } finally {
      await redis.stop()
    }
  })

  it('stops every part when its terminal is closed (SIGHUP)', async () => {
    const { child, done, parts } = await serve(['--api', '1', '--workers', '0'])
    expect(parts.length).toBeGreaterThanOrEqual(2)
    child.kill('SIGHUP')
    expect((await done).code).toBe(0)
    await allGone(parts, 2000)
  })

  it('leaves no part running when it is killed outright (SIGKILL)', async () => {
    const { child, parts } = await serve(['--api', '1', '--workers', '0'])
    expect(parts.length).toBeGreaterThanOrEqual(2)
    child.kill('SIGKILL')
    await allGone(parts, 8000)
  })

  it('--role runs one part in the foreground, for a host that shares the Redis', async () => {
    const { child, done, lines, parts } = await serve(['--role', 'api', '--instance', 'east-1'])
    expect(parts).toEqual([])
    const line = lines.find((l) => l.startsWith('api east-1 '))
    expect(pidOf(line)).toBe(child.pid)
    expect((await fetch(`${urlOf(line)}/healthz`)).status).toBe(200)
    child.kill('SIGTERM')
    expect((await done).code).toBe(0)
  })

  it('--role flags serves flips with the token from FIREDRILL_FLAGS_TOKEN', async () => {
    const { child, done, lines } = await serve(['--role', 'flags'])
    const url = urlOf(lines.find((l) => l.startsWith('flags ')))
    const flip = (token: string) =>
      fetch(`${url}/flags/checkout.new-pricing`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ defaultVariant: 'off', reason: 'serve test' }),
      })
    expect((await flip('wrong')).status).toBe(401)
    expect((await flip('serve-test-token')).status).toBe(200)
    child.kill('SIGINT')
    expect((await done).code).toBe(0)
  })
})

describe('firedrill serve with bad input', () => {
  it.each([
    [['--role', 'database'], '--role must be one of api, worker, flags'],
    [['--role', 'api', '--api', '3'], '--api'],
    [['--role', 'worker', '--flags-port', '3100'], '--flags-port'],
    [['--instance', 'a'], '--instance'],
    [['--role', 'api', '--instance', 'a b'], '--instance'],
  ])('%j exits 2 naming the option', async (args, says) => {
    const { code, stderr } = await spawnCli(['serve', ...args], { REDIS_URL: testRedisUrl() }).done
    expect(code).toBe(2)
    expect(stderr).toContain(says)
    expect(stderr).not.toMatch(/\n\s+at /)
  })
})
