import { describe, expect, it } from 'vitest'
import { ServiceErrorCode } from '../errors.ts'
import { pingRedis } from './ping-redis.ts'
import { parseRedisUrl, provisionRedis } from './redis-provisioner.ts'

describe('redis provisioning', () => {
  it('starts a private server when nothing else is given, and stops it', async () => {
    const handle = await provisionRedis({ env: {}, probeLocal: false })
    expect(handle.source).toBe('private')
    const { host, port } = parseRedisUrl(handle.url, 'test')
    await pingRedis(host, port)
    await handle.stop()
    await expect(pingRedis(host, port, 300)).rejects.toThrow()
  })

  it('uses REDIS_URL when set and it answers', async () => {
    const priv = await provisionRedis({ env: {}, probeLocal: false })
    try {
      const handle = await provisionRedis({ env: { REDIS_URL: priv.url } })
      expect(handle).toMatchObject({ url: priv.url, source: 'env' })
    } finally {
      await priv.stop()
    }
  })

  it('prefers --redis over REDIS_URL', async () => {
    const priv = await provisionRedis({ env: {}, probeLocal: false })
    try {
      const handle = await provisionRedis({ url: priv.url, env: { REDIS_URL: 'redis://127.0.0.1:1' } })
      expect(handle.source).toBe('option')
    } finally {
      await priv.stop()
    }
  })

  it('refuses a URL that is not redis://', async () => {
    await expect(provisionRedis({ url: 'http://127.0.0.1:6379' })).rejects.toMatchObject({
      code: ServiceErrorCode.REDIS_URL_INVALID,
      exitCode: 2,
    })
  })

  it('refuses a given URL that does not answer instead of falling back', async () => {
    await expect(provisionRedis({ env: { REDIS_URL: 'redis://127.0.0.1:1' } })).rejects.toMatchObject({
      code: ServiceErrorCode.REDIS_UNREACHABLE,
    })
  })

  it('says how to install Redis when none can be had', async () => {
    const err = await provisionRedis({
      env: {},
      probeLocal: false,
      redisServer: 'no-such-redis-server',
    }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: ServiceErrorCode.REDIS_UNAVAILABLE, exitCode: 2 })
    expect(String((err as Error).message)).toContain('apt-get install redis-server')
  })
})
