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

/** Epoch ms with sub-millisecond resolution, on the same clock the api processes stamp their flag copies with. */
const epochNow = () => performance.timeOrigin + performance.now()

/** The flag revision an api process serves and when it began serving it, from its `/metrics`. */
async function served(url: string): Promise<{ revision: number; appliedAt: number }> {
  const text = await (await fetch(`${url}/metrics`)).text()
  const value = (name: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `))
    if (line === undefined) throw new Error(`${url}/metrics has no ${name}`)
    return Number(line.slice(name.length + 1))
  }
  return {
    revision: value('feature_flag_revision'),
    appliedAt: value('feature_flag_revision_applied_timestamp_seconds') * 1000,
  }
}

/** Real orders to one api process at a steady rate (never more than one in flight), until stopped. */
function steadyOrders(url: string, perSecond: number) {
  let inFlight = false
  let sent = 0
  const timer = setInterval(() => {
    if (inFlight) return
    inFlight = true
    sent++
    place(url)
      .catch(() => undefined)
      .finally(() => {
        inFlight = false
      })
  }, 1000 / perSecond)
  return {
    stop: () => {
      clearInterval(timer)
      return sent
    },
  }
}

/**
 * The kill switch as a responder uses it: from the click (the flip's `PUT /flags/{key}` sent to the flags
 * service) to the moment each of 4 separate api processes (`firedrill serve`'s parts, each its own Node process
 * with its own flag provider) serves the new value.
 * 1. **Served**: each process stamps the moment it began serving a flag revision (`performance.timeOrigin +
 *    performance.now()`, the same clock as the click's, exported on its `/metrics`), while real orders reach
 *    every process at a steady rate (5× a drill's traffic). The flip's revision comes back in its answer.
 * 2. **Refusing an order**: each process asked in a loop of back-to-back real orders until one is refused (503),
 *    which saturates the 2 cores; a figure then holds up to one order's round trip, measured in the same run
 *    while nothing flips (the method's resolution).
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
    const set = (variant: 'on' | 'off', reason: string) =>
      client.set(KILL_SWITCH, { defaultVariant: variant, targeting: null }, reason)

    // Warm-up, not counted: every process's first flips and orders pay for their code being compiled.
    for (let i = 0; i < 20; i++) {
      await set(i % 2 === 0 ? 'off' : 'on', 'bench: warm-up')
      await Promise.all(apis.map((url) => Promise.all([place(url), served(url)])))
    }
    // The flip alone, nothing polling: what the flags service takes to answer a PUT on this machine.
    const quiet: number[] = []
    for (let i = 0; i < 20; i++) {
      const started = performance.now()
      await set('on', 'bench: the flip alone')
      quiet.push(performance.now() - started)
    }

    // 1. Served, under steady traffic.
    const perSecond = 50
    const traffic = apis.map((url) => steadyOrders(url, perSecond))
    const servedEach: number[] = []
    const servedLast: number[] = []
    const servedAnswer: number[] = []
    try {
      for (let flip = 0; flip < flips; flip++) {
        await set('on', 'bench: take orders again')
        await new Promise((resolve) => setTimeout(resolve, 100))
        const clicked = epochNow()
        const { revision } = await set('off', 'bench: stop taking orders')
        servedAnswer.push(epochNow() - clicked)
        const seen = await Promise.all(
          apis.map(async (url) => {
            for (;;) {
              const copy = await served(url)
              if (copy.revision >= revision) {
                if (copy.revision > revision) throw new Error(`${url} moved past revision ${revision}`)
                return copy.appliedAt - clicked
              }
              if (epochNow() - clicked > 10_000) throw new Error(`${url} never served revision ${revision}`)
              await new Promise((resolve) => setTimeout(resolve, 5))
            }
          }),
        )
        servedEach.push(...seen)
        servedLast.push(Math.max(...seen))
      }
    } finally {
      for (const t of traffic) t.stop()
    }

    // 2. Refusing an order, in saturating loops.
    const roundTrips: number[] = []
    for (let i = 0; i < 100; i++) roundTrips.push((await place(apis[i % apis.length]!)).ms)
    const perProcess: number[] = []
    const answered: number[] = []
    const loopFlips = Math.max(10, Math.round(flips / 4))
    for (let flip = 0; flip < loopFlips; flip++) {
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
    }
    const each = summarize(servedEach)
    const all = summarize(servedLast)
    const answer = summarize(servedAnswer)
    const refused = summarize(perProcess)
    const base = summarize(roundTrips)
    const put = summarize(answered)
    const alone = summarize(quiet)
    return {
      lines: [
        `kill switch ${KILL_SWITCH} off: the click (PUT sent) → each of ${API_PROCESSES} api processes serves it, ${flips} flips, ${perSecond} orders/s to each process`,
        `  each process  n=${each.n}  p50 ${ms(each.p50)}  p99 ${ms(each.p99)}  max ${ms(each.max)}   goal: p99 ≤ 10 ms`,
        `  the last one  n=${all.n}  p50 ${ms(all.p50)}  p99 ${ms(all.p99)}  max ${ms(all.max)}`,
        `  the flip's own answer (PUT sent → 200)  p50 ${ms(answer.p50)}  p99 ${ms(answer.p99)}; with nothing else running: p50 ${ms(alone.p50)}  p99 ${ms(alone.p99)}`,
        `  ratio each process / the flip's answer alone: p50 ${(each.p50 / alone.p50).toFixed(2)}x  p99 ${(each.p99 / alone.p99).toFixed(2)}x`,
        `the same, each process asked in a loop of back-to-back orders until one is refused (503), ${loopFlips} flips (saturates the cores)`,
        `  each process  n=${refused.n}  p50 ${ms(refused.p50)}  p99 ${ms(refused.p99)}  max ${ms(refused.max)}; the flip's answer p50 ${ms(put.p50)}`,
        `  baseline, one order's round trip (the method's resolution)  p50 ${ms(base.p50)}  p99 ${ms(base.p99)}`,
      ],
      each,
      all,
    }
  } finally {
    for (const part of parts.reverse()) await part.stop().catch(() => undefined)
  }
}
