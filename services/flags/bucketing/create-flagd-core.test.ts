import type { EvaluationContext } from '@openfeature/core'
import { FlagdCore } from '@openfeature/flagd-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { dropPrefix, redisSandbox } from '../../../test/support/redis-sandbox.ts'
import { createFlagClient } from '../create-flag-client.ts'
import { createFlagStore } from '../create-flag-store.ts'
import { type FlagDefinition, toFlagdConfiguration } from '../flag-definition.ts'
import { rolloutTargeting } from '../rollout-targeting.ts'
import knownAnswers from '../testing/flagd-fractional-known-answers.json' with { type: 'json' }
import { createFlagdCore } from './create-flagd-core.ts'

const { testbed, daemon } = knownAnswers
const metadata = { owner: 'team-checkout', type: 'release', lifecycle: 'active' } as const

function flag(targeting: Record<string, unknown>, variants: string[]): FlagDefinition {
  return {
    state: 'ENABLED',
    variants: Object.fromEntries(variants.map((variant) => [variant, variant])),
    defaultVariant: variants[0]!,
    targeting,
    metadata: { ...metadata },
  }
}

function load(core: FlagdCore, flags: Record<string, FlagDefinition>): FlagdCore {
  core.setConfigurations(toFlagdConfiguration(flags))
  return core
}

const distributions = daemon.distributions as unknown as Record<string, Array<[string, number]>>
/** One flag per known distribution, all bucketing by flag key + targeting key, as firedrill's rollouts do. */
function rolloutFlags(): Record<string, FlagDefinition> {
  return Object.fromEntries(
    Object.entries(distributions).map(([name, buckets]) => [
      name,
      flag(
        { fractional: buckets },
        buckets.map(([variant]) => variant),
      ),
    ]),
  )
}

/** The variant a core gives `targetingKey` for the distribution `name`, under the daemon's flag key. */
function variantOf(core: FlagdCore, name: string, targetingKey: string): string | undefined {
  const buckets = distributions[name]!
  const single = load(core, {
    [daemon.flagKey]: flag(
      { fractional: buckets },
      buckets.map(([v]) => v),
    ),
  })
  return single.resolveStringEvaluation(daemon.flagKey, 'fallback', { targetingKey }).value
}

describe('fractional bucketing, as the flagd daemon does it', () => {
  it("gives the flagd testbed's known answers", () => {
    const core = load(createFlagdCore(), testbed.flags as unknown as Record<string, FlagDefinition>)
    for (const answer of testbed.answers) {
      const details = core.resolveStringEvaluation(
        answer.flag,
        'fallback',
        answer.context as EvaluationContext,
      )
      expect({ ...answer, value: details.value }).toEqual(answer)
      if ('reason' in answer) expect(details.reason).toBe(answer.reason)
    }
  })

  it('puts 100 non-ASCII targeting keys (kunde-ü…, 客户…) in the bucket the daemon puts them in', () => {
    const core = createFlagdCore()
    for (const { targetingKey, variants } of daemon.targetingKeys)
      for (const [name, expected] of Object.entries(variants))
        expect({ targetingKey, name, variant: variantOf(core, name, targetingKey) }).toEqual({
          targetingKey,
          name,
          variant: expected,
        })
  })

  it("agrees with the daemon on firedrill's own canary steps", () => {
    const core = createFlagdCore()
    for (const { targetingKey, variants } of daemon.targetingKeys)
      for (const percent of [5, 50]) {
        load(core, { [daemon.flagKey]: flag(rolloutTargeting(percent), ['off', 'on']) })
        const value = core.resolveStringEvaluation(daemon.flagKey, 'fallback', { targetingKey }).value
        expect([targetingKey, value]).toEqual([targetingKey, variants[`rollout-${percent}` as 'rollout-5']])
      }
  })

  it('hashes an explicit bucketing expression over UTF-8 bytes too ({"cat": [$flagd.flagKey, user.name]})', () => {
    const { explicit } = daemon
    const buckets = distributions[explicit.distribution]!
    const core = load(createFlagdCore(), {
      [explicit.flagKey]: flag(
        { fractional: [explicit.bucketBy, ...buckets] },
        buckets.map(([variant]) => variant),
      ),
    })
    for (const { name, variant } of explicit.names) {
      const value = core.resolveStringEvaluation(explicit.flagKey, 'fallback', { user: { name } }).value
      expect([name, value]).toEqual([name, variant])
    }
  })

  it('is where flagd-core alone goes wrong: it puts some of those keys elsewhere', () => {
    const plain = new FlagdCore()
    const moved = daemon.targetingKeys.filter(
      ({ targetingKey, variants }) => variantOf(plain, 'suits', targetingKey) !== variants.suits,
    )
    expect(moved.length).toBeGreaterThan(20)
  })

  it('keeps every ASCII key in the bucket flagd-core gives it (property)', () => {
    const flags = {
      ...rolloutFlags(),
      explicit: flag(
        {
          fractional: [
            { cat: [{ var: '$flagd.flagKey' }, '-', { var: 'email' }] },
            ['a', 1],
            ['b', 2],
            ['c', 3],
          ],
        },
        ['a', 'b', 'c'],
      ),
    }
    const ours = load(createFlagdCore(), flags)
    const plain = load(new FlagdCore(), flags)
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), (targetingKey, email) => {
        for (const key of Object.keys(flags)) {
          const context = { targetingKey, email }
          expect(ours.resolveStringEvaluation(key, 'fallback', context)).toEqual(
            plain.resolveStringEvaluation(key, 'fallback', context),
          )
        }
      }),
      { numRuns: 300 },
    )
  })

  it('gives the default variant when there is no targeting key to bucket by', () => {
    const core = load(createFlagdCore(), rolloutFlags())
    for (const context of [{}, { targetingKey: '' }] as EvaluationContext[])
      expect(core.resolveStringEvaluation('rollout-50', 'fallback', context)).toMatchObject({
        value: 'on',
        reason: 'DEFAULT',
      })
  })

  it('falls back to flag key + targeting key when an explicit bucketing value is missing, as the daemon does', () => {
    const buckets = distributions.suits!
    const core = load(createFlagdCore(), {
      [daemon.flagKey]: flag(
        { fractional: [{ var: 'email' }, ...buckets] },
        buckets.map(([v]) => v),
      ),
    })
    const [first] = daemon.targetingKeys
    const value = core.resolveStringEvaluation(daemon.flagKey, 'fallback', {
      targetingKey: first!.targetingKey,
    })
    expect(value.value).toBe(first!.variants.suits)
  })

  it('reaches every process: a provider on Redis buckets a canary as the daemon does', async () => {
    const sandbox = redisSandbox()
    const client = await (async () => {
      const store = createFlagStore({ redis: sandbox.redis, prefix: sandbox.prefix })
      await store.seedIfEmpty({ flags: { [daemon.flagKey]: flag(rolloutTargeting(50), ['off', 'on']) } })
      return createFlagClient({ redisUrl: sandbox.url, prefix: sandbox.prefix })
    })()
    try {
      for (const { targetingKey, variants } of daemon.targetingKeys) {
        const details = await client.client.getStringDetails(daemon.flagKey, 'fallback', { targetingKey })
        expect([targetingKey, details.value]).toEqual([targetingKey, variants['rollout-50']])
      }
    } finally {
      await client.close()
      await dropPrefix(sandbox.redis, sandbox.prefix)
      await sandbox.close()
    }
  })
})
