import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createConnection } from 'node:net'
import { createInterface } from 'node:readline'
import { afterEach, describe, expect, it } from 'vitest'
import { childrenOf } from '../../../test/support/process-tree.ts'
import { pingRedis } from './ping-redis.ts'
import { parseRedisUrl } from './redis-provisioner.ts'

// A firedrill-like process: it starts a private server, prints its URL, and runs until something ends it.
const CHILD = `
import { provisionRedis } from ${JSON.stringify(new URL('./redis-provisioner.ts', import.meta.url).href)}
const handle = await provisionRedis({ env: {}, probeLocal: false })
console.log(handle.url)
setInterval(() => {}, 1000)
`

interface Started {
  child: ChildProcess
  host: string
  port: number
}

const leftovers: Started[] = []

/**
 * Starts the firedrill-like process as the leader of its own process group, as a shell starts a job in a
 * terminal, and waits until its private server answers.
 */
async function startFiredrillLike(): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  })
  const reader = createInterface({ input: child.stdout! })
  const first = await Promise.race([
    reader[Symbol.asyncIterator]().next(),
    once(child, 'exit').then(() => ({ value: undefined })),
  ])
  if (typeof first.value !== 'string') throw new Error('the process exited before it printed its Redis URL')
  const { host, port } = parseRedisUrl(first.value.trim(), 'test')
  const started = { child, host, port }
  leftovers.push(started)
  await pingRedis(host, port)
  return started
}

/** Resolves once nothing answers on the port any more; fails after `timeoutMs`. */
async function redisGone({ host, port }: Started, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const alive = await pingRedis(host, port, 200).then(
      () => true,
      () => false,
    )
    if (!alive) return
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} outlived firedrill`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Shuts an orphaned server down, so a failing test leaves nothing running. */
function shutdownServer({ host, port }: Started): Promise<void> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port }, () => socket.end('SHUTDOWN NOSAVE\r\n'))
    socket.on('error', () => resolve())
    socket.on('close', () => resolve())
    socket.setTimeout(1000, () => socket.destroy())
  })
}

afterEach(async () => {
  for (const started of leftovers.splice(0)) {
    started.child.kill('SIGKILL')
    await shutdownServer(started)
  }
})

describe('a private redis-server', () => {
  it('stops when the process that started it is killed outright', async () => {
    const started = await startFiredrillLike()
    started.child.kill('SIGKILL')
    await redisGone(started)
    expect(started.child.killed).toBe(true)
  })

  it("stops when firedrill's whole process group is killed", async () => {
    const started = await startFiredrillLike()
    process.kill(-started.child.pid!, 'SIGKILL')
    await redisGone(started)
  })

  it('stops when the terminal is closed (SIGHUP to the foreground process group)', async () => {
    const started = await startFiredrillLike()
    const exited = once(started.child, 'exit')
    process.kill(-started.child.pid!, 'SIGHUP')
    const [, signal] = await exited
    expect(signal).toBe('SIGHUP')
    await redisGone(started)
  })

  it('stops when firedrill ends on SIGTERM without a handler of its own', async () => {
    const started = await startFiredrillLike()
    started.child.kill('SIGTERM')
    await redisGone(started)
  })
  it('stops when its guardian is sent SIGHUP', async () => {
    const started = await startFiredrillLike()
    const guardian = (await childrenOf(started.child.pid!)).find((p) => p.command === 'sh')
    expect(guardian).toBeDefined()
    process.kill(guardian!.pid, 'SIGHUP')
    await redisGone(started)
  })
})
