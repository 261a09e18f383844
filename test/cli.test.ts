import { describe, expect, it } from 'vitest'
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
})
