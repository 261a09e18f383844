import { FlagsHttpClient } from '../services/flags/index.ts'
import type { RedisHandle } from '../services/platform/redis/redis-provisioner.ts'
import {
  OWN_CODE_ROOT,
  type ShopProcess,
  startShopProcess,
} from '../services/shop/process/start-shop-process.ts'
import { ms, summarize } from './percentiles.ts'

const KILL_SWITCH = 'checkout.accepting-orders'
const API_PROCESSES = 4
const TOKEN = 'bench-kill-switch'
const ORDER = JSON.stringify({
  customerId: 'bench-kill-switch',
  items: [{ sku: 'SKU-BENCH', qty: 1, unitPriceCents: 1000 }],
  currency: 'EUR',
})

/** One order to one api process: its status and how long it took. */
async function place(url: string): Promise<{ status: number; ms: number }> {
  const started = performance.now()
  const response = await fetch(`${url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: ORDER,
  })
  await response.arrayBuffer()
  return { status: response.status, ms: performance.now() - started }
}

/**
 * The kill switch as a responder uses it: from the click (the flip's `PUT /flags/{key}` sent to the flags
 * service) to the moment each of 4 separate api processes (`firedrill serve`'s parts, each its own Node process
 * with its own flag provider) refuses an order with 503. Each process is asked in a loop of real orders, so a
 * figure includes up to one order's round trip: that round trip, measured in the same run while nothing flips,
 * is the baseline, the resolution of the method. The loops share the machine with what they measure.
 */
export async function killSwitch(redis: RedisHandle, flips: number) {
  const prefix = `bench-kill-switch-${process.pid}`
  const parts: ShopProcess[] = []
  try {
    const common = {
      redisUrl: redis.url,
      prefix,
      flagsToken: TOKEN,
      logLevel: 'warn',
      output: 'capture',
    } as const
    const flags = await startShopProcess(OWN_CODE_ROOT, { ...common, role: 'flags' })
    parts.push(flags)
    for (let i = 0; i < API_PROCESSES; i++)
      parts.push(await startShopProcess(OWN_CODE_ROOT, { ...common, role: 'api', instance: String(i) }))
    const apis = parts.filter((p) => p.role === 'api').map((p) => p.url)
    const client = new FlagsHttpClient({ baseUrl: flags.url, token: TOKEN, actor: 'bench' })

    // The flip alone, nothing polling: what the flags service takes to answer a PUT on this machine.
    const quiet: number[] = []
    for (let i = 0; i < 20; i++) {
      const started = performance.now()
      await client.set(KILL_SWITCH, { defaultVariant: 'on', targeting: null }, 'bench: the flip alone')
      quiet.push(performance.now() - started)
    }
    const roundTrips: number[] = []
    for (let i = 0; i < 100; i++) roundTrips.push((await place(apis[i % apis.length]!)).ms)

    const perProcess: number[] = []
    const lastProcess: number[] = []
    const answered: number[] = []
    const set = (variant: 'on' | 'off', reason: string) =>
      client.set(KILL_SWITCH, { defaultVariant: variant, targeting: null }, reason)
    for (let flip = 0; flip < flips; flip++) {
      // Taking orders again is not what is measured: turned back on, then left to settle.
      await set('on', 'bench: take orders again')
      await new Promise((resolve) => setTimeout(resolve, 200))
      const clicked = performance.now()
      const sent = set('off', 'bench: stop taking orders').then(() =>
        answered.push(performance.now() - clicked),
      )
      const seen = await Promise.all(
        apis.map(async (url) => {
          for (;;) {
            const { status } = await place(url)
            if (status === 503) return performance.now() - clicked
            if (performance.now() - clicked > 10_000) throw new Error(`${url} never refused an order`)
          }
        }),
      )
      await sent
      perProcess.push(...seen)
      lastProcess.push(Math.max(...seen))
    }
    const each = summarize(perProcess)
    const all = summarize(lastProcess)
    const base = summarize(roundTrips)
    const put = summarize(answered)
    const alone = summarize(quiet)
    return {
      lines: [
        `kill switch ${KILL_SWITCH} off: the click (PUT sent) → each of ${API_PROCESSES} api processes refuses an order (503), ${flips} flips`,
        `  each process  n=${each.n}  p50 ${ms(each.p50)}  p99 ${ms(each.p99)}  max ${ms(each.max)}`,
        `  the last one  n=${all.n}  p50 ${ms(all.p50)}  p99 ${ms(all.p99)}  max ${ms(all.max)}`,
        `  the flip's own answer (PUT sent → 200)  p50 ${ms(put.p50)}  p99 ${ms(put.p99)}; with nothing polling: p50 ${ms(alone.p50)}  p99 ${ms(alone.p99)}`,
        `  baseline, one order's round trip (the method's resolution)  p50 ${ms(base.p50)}  p99 ${ms(base.p99)}`,
        `  ratio each process / one round trip: p50 ${(each.p50 / base.p50).toFixed(1)}x  p99 ${(each.p99 / base.p99).toFixed(1)}x   goal: each process p99 ≤ 10 ms`,
      ],
      each,
      all,
    }
  } finally {
    for (const part of parts.reverse()) await part.stop().catch(() => undefined)
  }
}
