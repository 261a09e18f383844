import { en, Faker } from '@faker-js/faker'
import { type Static, Type } from '@sinclair/typebox'
import { parse } from 'yaml'
import { schemaProblems } from '../../services/platform/schema-problems.ts'
import { RosterInvalidError } from '../errors.ts'
import { type DeepReadonly, deepFreeze } from './deep-freeze.ts'
import type { LoadedScenario } from './load-scenario.ts'
import { readScenarioFile } from './scenario-files.ts'

export const RosterSchema = Type.Object(
  {
    team: Type.String({ minLength: 1 }),
    members: Type.Array(
      Type.Object(
        {
          name: Type.String({ minLength: 1 }),
          handle: Type.String({ minLength: 1, pattern: '^[a-z0-9][a-z0-9._-]*$' }),
          /** Roles owners are picked by: service-owner, sre, on-call, incident-commander, … */
          roles: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 200 },
    ),
  },
  { additionalProperties: false },
)

export type Roster = DeepReadonly<Static<typeof RosterSchema>>
export type RosterMember = Roster['members'][number]

const GENERATED_ROLES = [
  ['service-owner'],
  ['service-owner', 'incident-commander'],
  ['sre', 'on-call'],
  ['sre'],
  ['on-call'],
]

/**
 * The scenario's roster file when it names one (read through `readScenarioFile`: a regular file in the
 * scenario's folder, 256 KiB at most), else a roster generated from the scenario's seed.
 */
export async function loadRoster(loaded: LoadedScenario): Promise<Roster> {
  const read = await readScenarioFile(loaded, 'team')
  if (read === undefined) return generateRoster(loaded.scenario.seed)
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(read.bytes)
  } catch {
    throw new RosterInvalidError(read.path, 'it is not UTF-8 text')
  }
  return parseRoster(text, read.path)
}

/** Parses and validates roster YAML; `file` names the source in errors. */
export function parseRoster(text: string, file: string): Roster {
  let raw: unknown
  try {
    raw = parse(text, { maxAliasCount: 100, uniqueKeys: true })
  } catch (err) {
    throw new RosterInvalidError(file, (err as Error).message.split('\n')[0] ?? 'not YAML')
  }
  const problems = schemaProblems(RosterSchema, raw)
  if (problems.length > 0) {
    const first = problems[0]!
    throw new RosterInvalidError(file, `${first.path} ${first.expected} (got ${first.got})`)
  }
  return deepFreeze(raw as Static<typeof RosterSchema>)
}

/** Five fictional people with the usual roles, the same for the same seed (with the same faker version). */
export function generateRoster(seed: number): Roster {
  const faker = new Faker({ locale: [en] })
  faker.seed(seed)
  const members = GENERATED_ROLES.map((roles) => {
    const firstName = faker.person.firstName()
    const lastName = faker.person.lastName()
    const handle = `${firstName}.${lastName}`.toLowerCase().replace(/[^a-z0-9.]/g, '')
    return { name: `${firstName} ${lastName}`, handle, roles }
  })
  return deepFreeze({ team: 'Checkout', members })
}

/** The first member holding `role`, else the first member: every item gets an owner. */
export function ownerFor(roster: Roster, role: string): RosterMember {
  return roster.members.find((m) => m.roles.includes(role)) ?? roster.members[0]!
}
