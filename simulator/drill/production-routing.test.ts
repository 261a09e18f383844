import { describe, expect, it } from 'vitest'
import type { Environment, SlotReport } from '../../gate/deploy/environment.ts'
import { ProductionRouting } from './production-routing.ts'

/** Production's slots as `current()` reports them; a slot restarting in a deploy reports no address. */
function production(count: number) {
  const slots: SlotReport[] = Array.from({ length: count }, (_, slot) => ({
    slot,
    url: `http://127.0.0.1:${4000 + slot}`,
    commit: 'c'.repeat(40),
    contentHash: 'h'.repeat(64),
  }))
  let reads = 0
  const env = {
    current: () => {
      reads++
      return slots.map((s) => ({ ...s }))
    },
  } as unknown as Environment
  return { env, slots, reads: () => reads }
}

const routing = (strategy: 'rolling' | 'blue-green' | 'instance-canary', env: Environment) =>
  new ProductionRouting({
    strategy,
    instances: 2,
    production: () => env,
    record: async () => {},
    say: () => {},
  })

describe("production's routing", () => {
  it('keeps a slot restarting in a deploy in the traffic, at the address it had', () => {
    const { env, slots } = production(2)
    const r = routing('rolling', env)
    expect(r.liveUrls()).toEqual(['http://127.0.0.1:4000', 'http://127.0.0.1:4001'])
    slots[1]!.url = null
    expect(r.liveUrls()).toEqual(['http://127.0.0.1:4000', 'http://127.0.0.1:4001'])
  })

  it('builds the targets once per routing change, not per request', async () => {
    const { env, reads } = production(3)
    const r = routing('instance-canary', env)
    for (let i = 0; i < 100; i++) r.liveUrls()
    expect(reads()).toBe(1)
    await r.routeCanary(25, 'release-train', 'a quarter of the traffic')
    const targets = r.liveUrls()
    expect(targets.filter((u) => u === 'http://127.0.0.1:4002')).toHaveLength(targets.length / 4)
    for (let i = 0; i < 100; i++) r.liveUrls()
    expect(reads()).toBe(2)
  })

  it('switches every request between blue and green at once', async () => {
    const { env } = production(4)
    const r = routing('blue-green', env)
    expect(r.liveUrls()).toEqual(['http://127.0.0.1:4000', 'http://127.0.0.1:4001'])
    await r.switchTo('green', 'release-train', 'the release')
    expect(r.liveUrls()).toEqual(['http://127.0.0.1:4002', 'http://127.0.0.1:4003'])
    expect(r.liveSlots()).toEqual([2, 3])
  })
})
