import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { pingRedis } from '../../services/platform/redis/ping-redis.ts'
import { parseRedisUrl, provisionRedis } from '../../services/platform/redis/redis-provisioner.ts'
import { descendantsOf, isRunning, killLeftovers } from '../../test/support/process-tree.ts'
import { emptyRow, type FaultCase } from '../fault-case.ts'

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'firedrill.js')

/** Reads a child's stdout until a line matches; rejects if it exits first. */
async function lineMatching(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string[]> {
  const lines: string[] = []
  const reader = createInterface({ input: child.stdout! })
  const iterator = reader[Symbol.asyncIterator]()
  const deadline = Date.now() + timeoutMs
  const exited = once(child, 'exit')
  for (;;) {
    const timer = new Promise<{ done: true; value: string }>((resolve) =>
      setTimeout(() => resolve({ done: true, value: '' }), Math.max(0, deadline - Date.now())),
    )
    const next = await Promise.race([iterator.next(), exited.then(() => ({ done: true, value: '' })), timer])
    if (next.done) throw new Error(`no line matching ${pattern} (got ${lines.length} lines)`)
    lines.push(next.value)
    if (pattern.test(next.value)) return lines
  }
}

/** `firedrill serve` while its Redis goes away, then SIGTERM: it must exit within 5 s, every part with it. */
export const serveSigtermRedisDown: FaultCase = {
  name: 'serve SIGTERM with Redis down',
  async run() {
    const redis = await provisionRedis({ env: {}, probeLocal: false })
    const child = spawn(
      process.execPath,
      [BIN, 'serve', '--port', '0', '--api', '1', '--workers', '1', '--redis', redis.url],
      {
        env: { ...process.env, LOG_LEVEL: 'silent', FIREDRILL_FLAGS_TOKEN: 'faults-serve-token' },
        stdio: ['ignore', 'pipe', 'ignore'],
        detached: true,
      },
    )
    const pids: number[] = [child.pid!]
    try {
      await lineMatching(child, /Ctrl-C stops it/, 60_000)
      pids.push(...(await descendantsOf(child.pid!)).filter((p) => p.command === 'node').map((p) => p.pid))
      await redis.stop()
      const exited = once(child, 'exit')
      const at = Date.now()
      child.kill('SIGTERM')
      await exited
      const took = Date.now() - at
      await new Promise((resolve) => setTimeout(resolve, 500))
      const left = (await Promise.all(pids.map(isRunning))).filter(Boolean).length
      return {
        ...emptyRow(this.name, `${pids.length - 1} parts; exit bound 5 s`),
        processesLeft: left,
        secondsToExit: took / 1000,
      }
    } finally {
      killLeftovers(pids)
      await redis.stop()
    }
  },
}

// A firedrill-like process: it starts a private server, prints its URL, and runs until something ends it.
const FIREDRILL_LIKE = `
import { provisionRedis } from ${JSON.stringify(new URL('../../services/platform/redis/redis-provisioner.ts', import.meta.url).href)}
const handle = await provisionRedis({ env: {}, probeLocal: false })
console.log(handle.url)
setInterval(() => {}, 1000)
`

/** A closed terminal (SIGHUP to firedrill's process group), then SIGKILL: no private redis-server may outlive it. */
export const privateRedisOutlives: FaultCase = {
  name: 'terminal closed / SIGKILL: private Redis',
  async run() {
    let left = 0
    let slowest = 0
    for (const signal of ['SIGHUP', 'SIGKILL'] as const) {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', FIREDRILL_LIKE],
        {
          stdio: ['ignore', 'pipe', 'ignore'],
          detached: true,
        },
      )
      const [url] = await lineMatching(child, /^redis:\/\//, 30_000)
      const { host, port } = parseRedisUrl(url!.trim(), 'faults')
      const at = Date.now()
      process.kill(-child.pid!, signal)
      const deadline = at + 5000
      let alive = true
      while (alive && Date.now() < deadline) {
        alive = await pingRedis(host, port, 200).then(
          () => true,
          () => false,
        )
        if (alive) await new Promise((resolve) => setTimeout(resolve, 50))
      }
      slowest = Math.max(slowest, Date.now() - at)
      if (alive) left++
    }
    return {
      ...emptyRow(this.name, 'SIGHUP to the group, then SIGKILL of the group'),
      processesLeft: left,
      secondsToExit: slowest / 1000,
    }
  },
}
