import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { RecordErrorCode } from '../errors.ts'
import { loadScenario } from './load-scenario.ts'
import { generateRoster, loadRoster, ownerFor, parseRoster } from './team-roster.ts'

describe('team roster', () => {
  it('loads the roster the bad-pricing scenario names', async () => {
    const roster = await loadRoster(await loadScenario('bad-pricing'))
    expect(roster.team).toBe('Checkout')
    expect(ownerFor(roster, 'sre').handle).toBe('lola.hilll')
  })

  it('falls back to the first member for a role nobody holds', () => {
    const roster = generateRoster(7)
    expect(ownerFor(roster, 'astronaut')).toBe(roster.members[0])
  })

  it('generates the same roster for the same seed, with every default role held', () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), (seed) => {
        const roster = generateRoster(seed)
        expect(generateRoster(seed)).toEqual(roster)
        for (const role of ['service-owner', 'sre', 'on-call', 'incident-commander']) {
          expect(ownerFor(roster, role).roles).toContain(role)
        }
        expect(roster.members.every((m) => /^[a-z0-9][a-z0-9._-]*$/.test(m.handle))).toBe(true)
      }),
      { numRuns: 25 },
    )
  })

  it('refuses a roster with an unknown key or a member without roles', () => {
    expect(() =>
      parseRoster('team: X\nmembers:\n  - name: A\n    handle: a\n    role: [sre]\n', 'team.yaml'),
    ).toThrow(expect.objectContaining({ code: RecordErrorCode.ROSTER_INVALID, exitCode: 2 }))
  })
})
