import { describe, expect, it } from 'vitest'
import type { AuditEntryView } from '../../../services/flags/flags-schemas.ts'
import { diagnose } from './diagnose.ts'

let revision = 0
const change = (
  flag: string,
  from: string,
  to: string,
  at: string,
  actor = 'release-train',
): AuditEntryView => ({
  revision: ++revision,
  flag,
  from,
  to,
  actor,
  reason: 'test',
  at: `2026-12-02T10:00:${at}.000Z`,
  change: { state: 'ENABLED' } as AuditEntryView['change'],
})
const page = { alerts: ['fast-burn'], slos: ['orders-latency'], startsAt: '2026-12-02T10:00:20.000Z' }
const RELEASE = 'checkout.new-pricing'
const DECOY = 'checkout.gift-wrap'

describe("the bot's playbook", () => {
  it('turns off the flag turned on last before the alert started, never one flipped after it (a decoy)', () => {
    const audit = [
      change(RELEASE, 'off', 'on for 5% (else off)', '05'),
      change(RELEASE, 'on for 5% (else off)', 'on for 25% (else off)', '10'),
      change(DECOY, 'off', 'on', '22', 'someone-else'),
    ]
    const d = diagnose(page, audit)
    expect(d.action).toEqual({ kind: 'flag-off', flag: RELEASE })
    expect(d.hypothesis).toMatch(
      /SLO orders-latency burning .*checkout\.new-pricing was the last flag turned on before it/,
    )
    expect(d.setAside).toEqual([
      { flag: DECOY, why: expect.stringMatching(/after the alert started firing/) },
    ])
    expect(d.evidence.flagChanges.map((c) => c.flag)).toEqual([DECOY, RELEASE, RELEASE])
  })

  it('sets aside a flag turned on earlier than the suspect, and one already off', () => {
    const audit = [
      change(DECOY, 'off', 'on', '01'),
      change('checkout.old', 'off', 'on', '02'),
      change('checkout.old', 'on', 'off', '03'),
      change(RELEASE, 'off', 'on for 50% (else off)', '08'),
    ]
    const d = diagnose(page, audit)
    expect(d.action).toEqual({ kind: 'flag-off', flag: RELEASE })
    expect(Object.fromEntries(d.setAside.map((s) => [s.flag, s.why]))).toEqual({
      'checkout.old': 'serves off now',
      [DECOY]: `turned on earlier than ${RELEASE}, further from the onset`,
    })
  })

  it('escalates rather than guesses when no flag change explains the burn', () => {
    const d = diagnose(page, [change(DECOY, 'off', 'on', '30')])
    expect(d.action).toEqual({ kind: 'escalate' })
    expect(d.hypothesis).toMatch(/the cause is not a change of ours/)
    expect(diagnose(page, []).action).toEqual({ kind: 'escalate' })
  })

  const deploy = (commit: string, at: string, dark: boolean, previous: string | null = 'hash-before') => ({
    commit,
    artifact: `hash-${commit}`,
    previous,
    dark,
    at: `2026-12-02T10:00:${at}.000Z`,
  })

  it('rolls back a live deploy that started before the burn, when no later flag explains it', () => {
    const d = diagnose(page, [change(DECOY, 'off', 'on', '02')], [deploy('c0ffee', '10', false)])
    expect(d.action).toEqual({ kind: 'rollback', to: 'hash-before' })
    expect(d.hypothesis).toMatch(
      /production's deploy of c0ffee .*shipped without a flag: it started the burn/,
    )
    expect(d.setAside).toEqual([
      {
        flag: DECOY,
        why: expect.stringMatching(/before production's deploy of c0ffee: further from the onset/),
      },
    ])
    expect(d.evidence.deploys).toHaveLength(1)
  })

  it('finds production already rolled back by the post-deploy watch, and does not roll it back again', () => {
    const live = deploy('c0ffee', '10', false)
    const back = {
      ...deploy('before', '18', false, null),
      artifact: 'hash-before',
      rollbackOf: { artifact: live.artifact, by: 'post-deploy-watch' },
    }
    const d = diagnose(page, [], [live, back])
    expect(d.action).toEqual({ kind: 'already-rolled-back', to: 'hash-before', by: 'post-deploy-watch' })
    expect(d.hypothesis).toMatch(/post-deploy-watch already rolled production back to hash-before/)
  })

  it('sets aside a dark deploy: the flag that turned it on is the change closest to the onset', () => {
    const audit = [change(RELEASE, 'off', 'on for 25% (else off)', '12')]
    const d = diagnose(page, audit, [deploy('dark', '05', true), deploy('old', '01', false)])
    expect(d.action).toEqual({ kind: 'flag-off', flag: RELEASE })
  })

  it('never rolls back a deploy that started after the alert, nor one with nothing before it', () => {
    expect(diagnose(page, [], [deploy('late', '25', false)]).action).toEqual({ kind: 'escalate' })
    expect(diagnose(page, [], [deploy('first', '05', false, null)]).action).toEqual({ kind: 'escalate' })
  })

  describe('a failing payment provider', () => {
    const paid = { alerts: ['slow-burn'], slos: ['orders-paid'], startsAt: '2026-12-02T10:00:20.000Z' }
    const degraded = {
      status: 'degraded' as const,
      summary: 'Degraded performance: API responses are slower than usual.',
      since: '2026-12-02T10:00:12.000Z',
    }

    it('turns the degrade switch on and sets aside the flag turned on just before the burn (a decoy)', () => {
      const audit = [change(DECOY, 'off', 'on', '09', 'storefront-team')]
      const d = diagnose(paid, audit, [], degraded)
      expect(d.action).toEqual({ kind: 'degrade', flag: 'payments.defer-charges' })
      expect(d.hypothesis).toMatch(
        /SLO orders-paid burning .*status page reports degraded .*the cause is external/,
      )
      expect(d.setAside).toEqual([
        { flag: DECOY, why: expect.stringMatching(/a flag of ours does not make the provider fail/) },
      ])
      expect(d.evidence.provider).toEqual(degraded)
    })

    it('rolls nothing back either: a live deploy before the burn is set aside for the provider', () => {
      const deploy = {
        commit: 'c'.repeat(40),
        artifact: 'a'.repeat(64),
        previous: 'b'.repeat(64),
        dark: false,
        at: '2026-12-02T10:00:05.000Z',
      }
      const d = diagnose(paid, [], [deploy], { ...degraded, status: 'partial-outage' })
      expect(d.action).toEqual({ kind: 'degrade', flag: 'payments.defer-charges' })
    })

    it('is not the cause when its status page turned bad only after the alert started: the flag is', () => {
      const audit = [change(RELEASE, 'off', 'on', '09')]
      const d = diagnose(paid, audit, [], { ...degraded, since: '2026-12-02T10:00:25.000Z' })
      expect(d.action).toEqual({ kind: 'flag-off', flag: RELEASE })
    })

    it('is not suspected while its status page says operational', () => {
      const audit = [change(RELEASE, 'off', 'on', '09')]
      const d = diagnose(paid, audit, [], {
        status: 'operational',
        summary: 'All systems operational.',
        since: null,
      })
      expect(d.action).toEqual({ kind: 'flag-off', flag: RELEASE })
      expect(d.evidence.provider?.status).toBe('operational')
    })
  })

  it('keeps the flag as the suspect when the provider is operational again since after it was turned on (a blip that is over)', () => {
    const audit = [change(RELEASE, 'off', 'on', '05'), change(DECOY, 'off', 'on', '22', 'someone-else')]
    const provider = {
      status: 'operational' as const,
      summary: 'All systems operational.',
      since: '2026-12-02T10:00:12.000Z',
    }
    const d = diagnose(page, audit, [], provider)
    expect(d.action).toEqual({ kind: 'flag-off', flag: RELEASE })
    expect(d.evidence.provider).toEqual(provider)
    expect(d.hypothesis).toMatch(
      /status page reports operational since 2026-12-02T10:00:12\.000Z, so its own fault is over/,
    )
    // Operational all along (since before the flag): nothing to say about the provider.
    const quiet = diagnose(page, audit, [], { ...provider, since: '2026-12-02T09:00:00.000Z' })
    expect(quiet.hypothesis).not.toMatch(/status page/)
  })

  it("reads the workers' dashboard: a retry storm (most calls refused with 429, many per order paid) is named in the hypothesis, and the flag stays the suspect", () => {
    const audit = [change(RELEASE, 'off', 'on', '05')]
    const storm = {
      overMs: 1000,
      providerCalls: 400,
      rateLimited: 390,
      retries: 0,
      paid: 4,
      waiting: 30,
      delayed: 0,
      workers: 2,
    }
    const d = diagnose(page, audit, [], null, storm)
    expect(d.action).toEqual({ kind: 'flag-off', flag: RELEASE })
    expect(d.evidence.workers).toEqual(storm)
    expect(d.hypothesis).toContain(
      "the workers' dashboard shows 400 calls to the provider in 1.0 s for 4 orders paid, 390 of them refused with 429, and 30 orders waiting: retries that do not wait keep the provider saturated",
    )
    // Healthy workers, one call per order paid: the dashboard is evidence, with nothing to say.
    const calm = diagnose(page, audit, [], null, { ...storm, providerCalls: 40, rateLimited: 0, paid: 40 })
    expect(calm.evidence.workers?.providerCalls).toBe(40)
    expect(calm.hypothesis).not.toMatch(/dashboard/)
  })
})
