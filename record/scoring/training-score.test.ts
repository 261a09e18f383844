import { beforeAll, describe, expect, it } from 'vitest'
import { JournalBuilder } from '../journal/journal-builder.ts'
import { loadScenario } from '../scenario/load-scenario.ts'
import type { ValidScenario } from '../scenario/parse-scenario.ts'
import { RUBRIC, scoreTraining } from './training-score.ts'

const FLAG = 'checkout.new-pricing'
const DECOY = 'checkout.gift-messages'
const PAGE_AT = 60_000
let scenario: ValidScenario

beforeAll(async () => {
  // bad-pricing's targets: acknowledge 30 s, mitigate 120 s, first update 90 s; the budget limit 50 %.
  scenario = (await loadScenario('bad-pricing')).scenario
})

/** A human run paged at 60 s; `then` adds what the trainee did. */
function run(then: (j: JournalBuilder) => void, responder: 'bot' | 'human' = 'human') {
  const j = new JournalBuilder().started('r1', { flag: FLAG, responder, seed: 42 })
  j.at(PAGE_AT).add('page.sent', { alert: 'fast-burn', to: 'ana', channel: 'alertmanager-webhook' })
  then(j)
  return j.build()
}
const flagSet = (j: JournalBuilder, at: number, flag: string, turned: 'on' | 'off') =>
  j.at(PAGE_AT + at).add('responder.flag-set', {
    by: 'ana',
    flag,
    turned,
    from: 'on',
    to: turned,
    reason: 'checking',
  })
const mitigated = (j: JournalBuilder, at: number, by = 'ana') =>
  j.at(PAGE_AT + at).add('mitigation.applied', { action: 'flag off', flag: FLAG, by, reason: 'r' })
const points = (s: ReturnType<typeof scoreTraining>) =>
  Object.fromEntries((s?.items ?? []).map((i) => [i.criterion, i.points]))

describe('the training rubric', () => {
  it('gives full marks for a page handled within every target, with no collateral change and no hint', () => {
    const score = scoreTraining(
      run((j) => {
        j.at(PAGE_AT + 10_000).add('page.acknowledged', { alert: 'fast-burn', by: 'ana' })
        j.at(PAGE_AT + 20_000).add('status.posted', { by: 'ana', text: 'investigating checkout errors' })
        flagSet(j, 40_000, FLAG, 'off')
        mitigated(j, 41_000)
      }),
      scenario,
    )
    expect(score).toMatchObject({ trainee: 'ana', points: 100, acknowledgeMs: 10_000, mitigateMs: 41_000 })
    expect(score?.actions.map((a) => [a.kind, a.afterPageMs])).toEqual([
      ['acknowledged', 10_000],
      ['status', 20_000],
      ['flag-set', 40_000],
      ['mitigated', 41_000],
    ])
  })

  it("does not count the time the facilitator held the drill paused against the trainee's times", () => {
    const score = scoreTraining(
      run((j) => {
        j.at(PAGE_AT + 5_000).add('drill.paused', { by: 'facilitator', reason: 'a question' })
        j.at(PAGE_AT + 65_000).add('drill.resumed', { by: 'facilitator', pausedMs: 60_000 })
        j.at(PAGE_AT + 70_000).add('page.acknowledged', { alert: 'fast-burn', by: 'ana' })
        flagSet(j, 100_000, FLAG, 'off')
        mitigated(j, 101_000)
      }),
      scenario,
    )
    expect(score).toMatchObject({ acknowledgeMs: 10_000, mitigateMs: 41_000 })
    expect(points(score).acknowledge).toBe(RUBRIC.acknowledge)
  })

  it('takes points off for each wrong flag flip, and for a first action that is not the mitigation', () => {
    const score = scoreTraining(
      run((j) => {
        j.at(PAGE_AT + 5_000).add('page.acknowledged', { alert: 'fast-burn', by: 'ana' })
        flagSet(j, 10_000, DECOY, 'off')
        flagSet(j, 15_000, DECOY, 'on')
        flagSet(j, 30_000, FLAG, 'off')
        mitigated(j, 31_000)
        j.at(PAGE_AT + 35_000).add('status.posted', { by: 'ana', text: 'mitigated' })
      }),
      scenario,
    )
    expect(points(score)).toMatchObject({
      acknowledge: RUBRIC.acknowledge,
      mitigate: RUBRIC.mitigate,
      'right-first-time': 0,
      collateral: RUBRIC.collateral - 2 * RUBRIC.collateralPerAction,
      'first-update': RUBRIC.firstUpdate,
    })
    expect(score?.points).toBe(100 - RUBRIC.rightFirstTime - 2 * RUBRIC.collateralPerAction)
  })

  it('gives half marks within twice a target and none beyond it or when it never happened', () => {
    const score = scoreTraining(
      run((j) => {
        j.at(PAGE_AT + 45_000).add('page.acknowledged', { alert: 'fast-burn', by: 'ana' })
        flagSet(j, 250_000, FLAG, 'off')
        mitigated(j, 250_500)
      }),
      scenario,
    )
    expect(points(score)).toMatchObject({
      acknowledge: RUBRIC.acknowledge / 2,
      mitigate: 0,
      'right-first-time': RUBRIC.rightFirstTime,
      'first-update': 0,
    })
    expect(score?.items.find((i) => i.criterion === 'first-update')?.detail).toBe(
      'not first status update posted',
    )
  })

  it('costs points per hint, and gives no mitigation points when someone else turned the flag off', () => {
    const score = scoreTraining(
      run((j) => {
        j.at(PAGE_AT + 5_000).add('hint.given', { by: 'facilitator', text: 'look at the audit log' })
        j.at(PAGE_AT + 6_000).add('hint.given', { by: 'facilitator', text: 'what changed before the alert?' })
        mitigated(j, 20_000, 'cli')
      }),
      scenario,
    )
    expect(score?.hints).toEqual({ count: 2, cost: 2 * RUBRIC.hintCost })
    expect(points(score)).toMatchObject({ acknowledge: 0, mitigate: 0, 'right-first-time': 0 })
    expect(score?.items.find((i) => i.criterion === 'mitigate')?.detail).toMatch(/applied by cli/)
  })

  it('counts a needless rollback as collateral, and a rollback as the mitigation where no flag guards the change', () => {
    const rollback = (j: JournalBuilder, at: number) =>
      j.at(PAGE_AT + at).add('rollback.requested', {
        by: 'ana',
        reason: 'the latest deploy',
        from: 'b'.repeat(64),
        to: 'a'.repeat(64),
        commit: 'c'.repeat(40),
      })
    const flagged = scoreTraining(
      run((j) => {
        rollback(j, 5_000)
        flagSet(j, 20_000, FLAG, 'off')
        mitigated(j, 21_000)
      }),
      scenario,
    )
    expect(points(flagged)).toMatchObject({
      'right-first-time': 0,
      collateral: RUBRIC.collateral - RUBRIC.collateralPerAction,
    })
    const unflagged = new JournalBuilder().started('r3', { flag: undefined, responder: 'human' })
    unflagged.at(PAGE_AT).add('page.sent', { alert: 'fast-burn', to: 'ana', channel: 'alertmanager-webhook' })
    rollback(unflagged, 5_000)
    unflagged.at(PAGE_AT + 9_000).add('mitigation.applied', {
      action: 'rollback',
      to: 'a'.repeat(64),
      from: 'b'.repeat(64),
      by: 'ana',
      reason: 'the latest deploy',
    })
    const score = scoreTraining(unflagged.build(), scenario)
    expect(points(score)).toMatchObject({
      mitigate: RUBRIC.mitigate,
      'right-first-time': RUBRIC.rightFirstTime,
      collateral: RUBRIC.collateral,
    })
    expect(score?.actions.map((a) => a.kind)).toEqual(['rollback', 'mitigated'])
  })

  it('scores nothing for a bot run, or a run never paged', () => {
    expect(
      scoreTraining(
        run(() => {}, 'bot'),
        scenario,
      ),
    ).toBeNull()
    expect(
      scoreTraining(new JournalBuilder().started('r2', { responder: 'human' }).build(), scenario),
    ).toBeNull()
  })

  it('is the same score for the same journal, whenever it is computed', () => {
    const events = run((j) => {
      j.at(PAGE_AT + 1_000).add('page.acknowledged', { alert: 'fast-burn', by: 'ana' })
      mitigated(j, 2_000)
    })
    expect(scoreTraining(events, scenario)).toEqual(scoreTraining([...events], scenario))
  })
})

describe("the training rubric on a dependency's fault (provider-degradation)", () => {
  const SWITCH = 'payments.defer-charges'
  let provider: ValidScenario

  beforeAll(async () => {
    provider = (await loadScenario('provider-degradation')).scenario
  })

  /** A human run with no change flag, paged at 60 s. */
  const external = (then: (j: JournalBuilder) => void) => {
    const j = new JournalBuilder().started('r2', { responder: 'human', seed: 1207 })
    j.at(PAGE_AT).add('page.sent', { alert: 'slow-burn', to: 'ana', channel: 'alertmanager-webhook' })
    then(j)
    return j.build()
  }
  const degraded = (j: JournalBuilder, at: number) =>
    j
      .at(PAGE_AT + at)
      .add('mitigation.applied', { action: 'degrade switch on', flag: SWITCH, by: 'ana', reason: 'r' })

  it('counts the degrade switch turned on first as right the first time, and as the mitigation', () => {
    const score = scoreTraining(
      external((j) => {
        flagSet(j, 30_000, SWITCH, 'on')
        degraded(j, 31_000)
      }),
      provider,
    )
    expect(score?.mitigateMs).toBe(31_000)
    expect(points(score)['right-first-time']).toBe(RUBRIC.rightFirstTime)
  })

  it('counts turning off the flag turned on just before (the decoy) first as a wrong first move', () => {
    const score = scoreTraining(
      external((j) => {
        flagSet(j, 20_000, DECOY, 'off')
        flagSet(j, 30_000, SWITCH, 'on')
        degraded(j, 31_000)
      }),
      provider,
    )
    expect(points(score)['right-first-time']).toBe(0)
    expect(score?.items.find((i) => i.criterion === 'right-first-time')?.detail).toContain(
      `${DECOY} off, not the mitigation`,
    )
  })

  it('takes a pause of the fulfilment queue first as holding the orders where they burn a fulfilment SLO, and as collateral where none does', async () => {
    const pauseThenFlagOff = (j: JournalBuilder) => {
      j.at(PAGE_AT + 5_000).add('queue.paused', {
        queue: 'fulfilment',
        by: 'ana',
        reason: 'hold the orders',
        waiting: 12,
        active: 1,
      })
      flagSet(j, 20_000, FLAG, 'off')
      mitigated(j, 21_000)
      j.at(PAGE_AT + 30_000).add('queue.resumed', {
        queue: 'fulfilment',
        by: 'ana',
        reason: 'flag off',
        pausedMs: 25_000,
        held: 40,
      })
    }
    const fulfilment = (await loadScenario('contract-break')).scenario
    const held = scoreTraining(run(pauseThenFlagOff), fulfilment)
    expect(points(held)).toMatchObject({
      'right-first-time': RUBRIC.rightFirstTime,
      collateral: RUBRIC.collateral,
    })
    expect(held?.actions.filter((a) => a.kind === 'queue').map((a) => [a.text, a.afterPageMs])).toEqual([
      ['paused the fulfilment queue: "hold the orders"', 5_000],
      ['resumed the fulfilment queue: "flag off"', 30_000],
    ])
    const needless = scoreTraining(run(pauseThenFlagOff), scenario)
    expect(points(needless)).toMatchObject({
      'right-first-time': 0,
      collateral: RUBRIC.collateral - RUBRIC.collateralPerAction,
    })
  })
})
