import { describe, expect, it } from 'vitest'
import { ShopErrorCode } from '../shop-errors.ts'
import { parseShopPartConfig } from './shop-part-config.ts'

const base = { role: 'api', redisUrl: 'redis://127.0.0.1:6379' }

function problemOf(input: unknown) {
  try {
    parseShopPartConfig(input, 'the test')
  } catch (err) {
    return err as { code: string; field: string; exitCode: number; message: string }
  }
  throw new Error('the configuration was accepted')
}

describe('a shop part configuration', () => {
  it('fills in the defaults and is frozen', () => {
    const config = parseShopPartConfig(base, 'the test')
    expect(config).toMatchObject({
      role: 'api',
      prefix: 'firedrill',
      host: '127.0.0.1',
      port: 0,
      instance: '0',
      flagsResyncIntervalMs: 5000,
      responseHeaders: {},
      workerConcurrency: 4,
      shutdownTimeoutMs: 3000,
      paymentsApiKey: 'sk_test_firedrill',
      logLevel: 'info',
    })
    expect(Object.isFrozen(config)).toBe(true)
    expect(Object.isFrozen(config.responseHeaders)).toBe(true)
  })

  it('derives the payments api key from the prefix, as the in-process shop does', () => {
    expect(parseShopPartConfig({ ...base, prefix: 'p1' }, 'the test').paymentsApiKey).toBe('sk_test_p1')
  })

  it.each([
    [{ ...base, role: 'database' }, 'role'],
    [{ ...base, redisUrl: 'http://127.0.0.1:6379' }, 'redisUrl'],
    [{ role: 'api' }, 'redisUrl'],
    [{ ...base, port: 70000 }, 'port'],
    [{ ...base, instance: 'a b' }, 'instance'],
    [{ ...base, responseHeaders: { 'bad header': 'x' } }, 'responseHeaders'],
    [{ ...base, shutdownTimeoutMs: 10 }, 'shutdownTimeoutMs'],
    [{ ...base, logLevel: 'loud' }, 'logLevel'],
    [{ ...base, colour: 'blue' }, 'colour'],
  ])('refuses %j, naming %s', (input, field) => {
    const err = problemOf(input)
    expect(err.code).toBe(ShopErrorCode.PART_CONFIG_INVALID)
    expect(err.exitCode).toBe(2)
    expect(err.field).toBe(field)
    expect(err.message).toContain('from the test')
    expect(err.message).toContain(field)
  })

  it('refuses a flags service without a token', () => {
    const err = problemOf({ ...base, role: 'flags' })
    expect(err).toMatchObject({ code: ShopErrorCode.PART_CONFIG_INVALID, field: 'flagsToken' })
    expect(err.message).toContain('FIREDRILL_FLAGS_TOKEN')
  })
})
