import { buildFlagsApp, createFlagClient, type FlagClient, FlagsHttpClient } from '../services/flags/index.ts'
import type { RedisHandle } from '../services/platform/redis/redis-provisioner.ts'
import { ms, summarize } from './percentiles.ts'

const FLAG = 'checkout.new-pricing'
const INSTANCES = 8

/**
 * Flag propagation: from `PUT /flags/{key}` returning (a real socket) to every one of 8 api instances' flag
 * clients (each its own provider and Redis connections, as each api instance has) evaluating the new value.
 * Measured with the change channel on, then with it off (periodic resync only, at its default interval) as the
 * baseline.
 */
export async function flagPropagation(redis: RedisHandle, flips: number, baselineFlips: number) {
  const live = await measure(redis, `bench-flags-live-${process.pid}`, flips, true)
  const resync = await measure(redis, `bench-flags-resync-${process.pid}`, baselineFlips, false)
  const a = summarize(live.afterReturn)
  const b = summarize(resync.afterReturn)
  const sent = summarize(live.afterSend)
  const lines = [
    `flag propagation, ${INSTANCES} api instances, PUT returned → all evaluate the new value`,
    `  channel + resync  n=${a.n}  p50 ${ms(a.p50)}  p99 ${ms(a.p99)}  max ${ms(a.max)}`,
    `  resync only (5 s) n=${b.n}  p50 ${ms(b.p50)}  p99 ${ms(b.p99)}  max ${ms(b.max)}`,
    `  channel, from PUT sent (incl. the flip's own round trip)  p50 ${ms(sent.p50)}  p99 ${ms(sent.p99)}  max ${ms(sent.max)}`,
    `  ratio (resync-only / channel): p50 ${(b.p50 / a.p50).toFixed(0)}x  p99 ${(b.p99 / a.p99).toFixed(0)}x   goal: p99 < 50 ms`,
  ]
  return { lines, live: a, resync: b }
}

async function measure(redis: RedisHandle, prefix: string, flips: number, listen: boolean) {
  const token = 'bench-token'
  const app = await buildFlagsApp({ redisUrl: redis.url, prefix, token })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no address')
  const http = new FlagsHttpClient({ baseUrl: `http://127.0.0.1:${address.port}`, token, actor: 'bench' })
  const clients: FlagClient[] = []
  for (let i = 0; i < INSTANCES; i++) {
    clients.push(
      await createFlagClient({ redisUrl: redis.url, prefix, domain: `${prefix}-api-${i}`, listen }),
    )
  }
  const afterReturn: number[] = []
  const afterSend: number[] = []
  try {
    for (let i = 0; i < flips; i++) {
      const on = i % 2 === 0
      const sent = performance.now()
      const answer = await http.set(FLAG, { defaultVariant: on ? 'on' : 'off' }, `bench flip ${i}`)
      const start = performance.now()
      await Promise.all(
        clients.map(async (client) => {
          await client.provider.waitForRevision(answer.revision, 30_000)
          const value = await client.isEnabled(FLAG, 'customer-1', !on)
          if (value !== on)
            throw new Error(`instance ${client.domain} evaluated ${value} after revision ${answer.revision}`)
        }),
      )
      const end = performance.now()
      afterReturn.push(end - start)
      afterSend.push(end - sent)
    }
  } finally {
    for (const client of clients) await client.close()
    await app.close()
  }
  return { afterReturn, afterSend }
}
