import type { ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { describe, expect, it } from 'vitest'
import { testRedisUrl } from './support/redis-sandbox.ts'
import { spawnCli } from './support/run-cli.ts'

const run = spawnCli

describe('firedrill command line', () => {
  it('exits 2 with one clear line for an unknown command', async () => {
    const { code, stderr } = await run(['frobnicate']).done
    expect(code).toBe(2)
    expect(stderr).toContain('Unknown command "frobnicate"')
    expect(stderr).not.toMatch(/\n\s+at /)
  })

  it('exits 2 naming the flag for a bad option', async () => {
    const { code, stderr } = await run(['serve', '--api', 'many']).done
    expect(code).toBe(2)
    expect(stderr).toContain('--api must be an integer')
  })

  it('exits 2 naming the flag for an unknown option', async () => {
    const { code, stderr } = await run(['serve', '--bogus']).done
    expect(code).toBe(2)
    expect(stderr).toContain("'--bogus'")
  })

  it('exits 2 with the fix when the given Redis does not answer', async () => {
    const { code, stderr } = await run(['serve', '--redis', 'redis://127.0.0.1:1']).done
    expect(code).toBe(2)
    expect(stderr).toContain('does not answer PING')
    expect(stderr).not.toMatch(/\n\s+at /)
  })

  it('serve prints the shop URLs and the flip token, and stops cleanly on Ctrl-C', async () => {
    const { child, done } = run(['serve', '--port', '0', '--api', '2', '--prefix', `cli-${process.pid}`], {
      REDIS_URL: testRedisUrl(),
      FIREDRILL_FLAGS_TOKEN: undefined,
      LOG_LEVEL: 'silent',
    })
    const lines = await readUntil(child, /Ctrl-C stops it/)
    const apis = lines.filter((l) => l.startsWith('api ')).map((l) => l.split(/\s+/)[2]!)
    expect(apis).toHaveLength(2)
    expect(lines.some((l) => /^token\s+\S{20,}\s+\(generated/.test(l))).toBe(true)
    const health = await fetch(`${apis[1]}/healthz`)
    expect(health.status).toBe(200)
    child.kill('SIGINT')
    expect((await done).code).toBe(0)
  })
})

async function readUntil(child: ChildProcess, pattern: RegExp): Promise<string[]> {
  const lines: string[] = []
  const reader = createInterface({ input: child.stdout! })
  for await (const line of reader) {
    lines.push(line)
    if (pattern.test(line)) break
  }
  return lines
}
