import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { describe, expect, it } from 'vitest'
import { pingRedis } from './ping-redis.ts'
import { parseRedisUrl } from './redis-provisioner.ts'

const CHILD = `
import { provisionRedis } from ${JSON.stringify(new URL('./redis-provisioner.ts', import.meta.url).href)}
const handle = await provisionRedis({ env: {}, probeLocal: false })
console.log(handle.url)
setInterval(() => {}, 1000)
`

describe('a private redis-server', () => {
  it('stops when the process that started it is killed outright', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const reader = createInterface({ input: child.stdout })
    const [url] = (await reader[Symbol.asyncIterator]().next()).value.split('\n') as [string]
    const { host, port } = parseRedisUrl(url, 'test')
    await pingRedis(host, port)
    child.kill('SIGKILL')
    const deadline = Date.now() + 5000
    for (;;) {
      const alive = await pingRedis(host, port, 200).then(
        () => true,
        () => false,
      )
      if (!alive) break
      if (Date.now() > deadline) throw new Error('redis-server outlived its parent')
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(child.killed).toBe(true)
  })
})
