import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { main } from '../scripts/cli.ts'
import { RedisFaultModeStore } from '../services/payments/fault-mode-store.ts'
import { redisSandbox } from './support/redis-sandbox.ts'

describe('firedrill payments fault', () => {
  let sandbox: ReturnType<typeof redisSandbox>
  let out: string
  let err: string
  beforeEach(() => {
    sandbox = redisSandbox()
    out = ''
    err = ''
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out += String(chunk)
      return true
    })
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      err += String(chunk)
      return true
    })
  })
  afterEach(async () => {
    vi.restoreAllMocks()
    await sandbox.close()
  })

  const cli = (...args: string[]) =>
    main(['payments', 'fault', ...args, '--redis', sandbox.url, '--prefix', sandbox.prefix])

  it('changes the fault mode every process reads, and clears it', async () => {
    expect(await cli('set', 'error-rate', '--percent', '30')).toBe(0)
    expect(await new RedisFaultModeStore(sandbox.redis, sandbox.prefix).get()).toEqual({
      mode: 'error-rate',
      percent: 30,
    })
    expect(JSON.parse(out.trim())).toEqual({ mode: 'error-rate', percent: 30 })
    expect(await cli('clear')).toBe(0)
    expect(await new RedisFaultModeStore(sandbox.redis, sandbox.prefix).get()).toEqual({ mode: 'none' })
  })

  it('refuses a mode without its setting, naming the field, and changes nothing (exit 2)', async () => {
    expect(await cli('set', 'latency')).toBe(2)
    expect(err).toContain('ms')
    expect(await cli('set', 'meltdown')).toBe(2)
    expect(err).toContain('mode must be one of')
    expect(await new RedisFaultModeStore(sandbox.redis, sandbox.prefix).get()).toEqual({ mode: 'none' })
  })
})
