import { afterEach, describe, expect, it } from 'vitest'
import { redisSandbox } from '../../test/support/redis-sandbox.ts'
import { createRedisConnection } from '../platform/redis/redis-connection.ts'
import { createFlagStore } from './create-flag-store.ts'
import type { FlagChangeMessage, FlagStore } from './flag-store.ts'
import { FlagsErrorCode } from './flags-errors.ts'
import { flagKeys } from './flags-keys.ts'
import { loadFlagsFile } from './load-flags-file.ts'
import { rolloutTargeting } from './rollout-targeting.ts'

const PRICING = 'checkout.new-pricing'
const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function seededStore(options: { auditCap?: number } = {}) {
  const sandbox = redisSandbox()
  const store = createFlagStore({
    redis: sandbox.url,
    prefix: sandbox.prefix,
    now: () => new Date('2026-11-23T10:00:00Z'),
    ...options,
  })
  cleanups.push(async () => {
    await store.close()
    await sandbox.close()
  })
  expect(await store.seedIfEmpty(await loadFlagsFile())).toBe(true)
  return { store, sandbox }
}

/** Subscribes on a connection of its own and collects what the changes channel carries. */
async function listen(url: string, prefix: string) {
  const subscriber = createRedisConnection(url, 'subscriber')
  const messages: FlagChangeMessage[] = []
  const waiters: Array<() => void> = []
  subscriber.on('message', (_channel: string, raw: string) => {
    messages.push(JSON.parse(raw) as FlagChangeMessage)
    for (const wake of waiters.splice(0)) wake()
  })
  await subscriber.subscribe(flagKeys(prefix).changes)
  cleanups.push(async () => {
    await subscriber.quit()
  })
  return {
    messages,
    async next(count: number) {
      while (messages.length < count) await new Promise<void>((resolve) => waiters.push(resolve))
      return messages
    },
  }
}

async function errorOf(store: FlagStore, ...args: Parameters<FlagStore['setFlag']>) {
  return store.setFlag(...args).catch((err: unknown) => err)
}

describe('flag store seeding', () => {
  it('writes the file only into an empty store', async () => {
    const { store } = await seededStore()
    expect(await store.revision()).toBe(1)
    await store.setFlag(PRICING, { defaultVariant: 'on' }, 'drill', 'release')
    expect(await store.seedIfEmpty(await loadFlagsFile())).toBe(false)
    expect((await store.get(PRICING))?.defaultVariant).toBe('on')
    const snapshot = await store.snapshot()
    expect(snapshot.revision).toBe(2)
    expect(Object.keys(snapshot.flags).sort()).toEqual([
      'checkout.accepting-orders',
      'checkout.gift-messages',
      PRICING,
      'payments.defer-charges',
      'payments.instant-retry',
    ])
  })
})

describe('flag change', () => {
  it('updates the definition, bumps the revision, logs the audit entry and announces it', async () => {
    const { store, sandbox } = await seededStore()
    const channel = await listen(sandbox.url, sandbox.prefix)
    const result = await store.setFlag(PRICING, { defaultVariant: 'on' }, 'responder-bot', 'drill: release')
    expect(result.revision).toBe(2)
    expect(result.definition.defaultVariant).toBe('on')
    expect(result.audit).toEqual({
      revision: 2,
      flag: PRICING,
      from: 'off',
      to: 'on',
      actor: 'responder-bot',
      reason: 'drill: release',
      at: '2026-11-23T10:00:00.000Z',
      change: { defaultVariant: 'on' },
    })
    expect(await store.audit()).toEqual([result.audit])
    // The new definition travels with the announcement: a listener at revision 1 needs nothing else.
    expect(await channel.next(1)).toEqual([
      { revision: 2, flagsChanged: [PRICING], definitions: { [PRICING]: result.definition } },
    ])
  })

  it('describes rollouts, removed rules and disabled flags readably', async () => {
    const { store } = await seededStore()
    await store.setFlag(PRICING, { targeting: rolloutTargeting(5) }, 'drill', 'canary 5%')
    await store.setFlag(PRICING, { targeting: rolloutTargeting(50) }, 'drill', 'canary 50%')
    await store.setFlag(PRICING, { targeting: null, defaultVariant: 'on' }, 'drill', 'all in')
    await store.setFlag(PRICING, { state: 'DISABLED' }, 'oncall', 'turn it off')
    const trail = (await store.audit()).map(({ from, to }) => `${from} -> ${to}`)
    expect(trail).toEqual([
      'on -> disabled',
      'on for 50% (else off) -> on',
      'on for 5% (else off) -> on for 50% (else off)',
      'off -> on for 5% (else off)',
    ])
    expect((await store.get(PRICING))?.targeting).toBeUndefined()
  })

  it('keeps every one of many concurrent changes, each with its own revision', async () => {
    const { store } = await seededStore()
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.setFlag(PRICING, { targeting: rolloutTargeting(i * 10) }, `actor-${i}`, `step ${i}`),
      ),
    )
    expect(results.map((r) => r.revision).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
    const audit = await store.audit(100)
    expect(audit.map((entry) => entry.revision)).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2])
    // Each entry's `from` is what the one before it left.
    for (let i = 0; i < audit.length - 1; i++) expect(audit[i]!.from).toBe(audit[i + 1]!.to)
  })

  it('caps the audit log, newest first', async () => {
    const { store } = await seededStore({ auditCap: 3 })
    for (const percent of [10, 20, 30, 40, 50])
      await store.setFlag(PRICING, { targeting: rolloutTargeting(percent) }, 'drill', `to ${percent}%`)
    expect((await store.audit()).map((entry) => entry.reason)).toEqual(['to 50%', 'to 40%', 'to 30%'])
    expect((await store.audit(1)).map((entry) => entry.reason)).toEqual(['to 50%'])
  })
})

describe('a flag change that cannot be applied', () => {
  it('names an unknown flag', async () => {
    const { store } = await seededStore()
    expect(await errorOf(store, 'checkout.nope', { state: 'DISABLED' }, 'a', 'b')).toMatchObject({
      code: FlagsErrorCode.FLAG_NOT_FOUND,
      flag: 'checkout.nope',
    })
  })

  it.each([
    ['a default variant the flag lacks', { defaultVariant: 'maybe' }, 'defaultVariant'],
    ['an unknown state', { state: 'ON' as never }, 'state'],
    ['a rule with an unknown operator', { targeting: { nope: [1] } }, 'targeting'],
    ['a rule that is a list', { targeting: [1] as never }, 'targeting'],
    ['nothing to change', {}, 'change'],
  ])('names the field for %s, and changes nothing', async (_name, change, field) => {
    const { store } = await seededStore()
    expect(await errorOf(store, PRICING, change, 'a', 'b')).toMatchObject({
      code: FlagsErrorCode.FLAG_CHANGE_INVALID,
      field,
    })
    expect(await store.revision()).toBe(1)
    expect(await store.audit()).toEqual([])
  })

  it('needs a reason', async () => {
    const { store } = await seededStore()
    expect(await errorOf(store, PRICING, { defaultVariant: 'on' }, 'a', '  ')).toMatchObject({
      code: FlagsErrorCode.FLAG_CHANGE_INVALID,
      field: 'reason',
    })
  })
})
