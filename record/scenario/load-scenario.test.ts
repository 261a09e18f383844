import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import { FiredrillInputError } from '../../services/platform/firedrill-error.ts'
import { RecordErrorCode, type ScenarioInvalidError } from '../errors.ts'
import { listScenarios } from './list-scenarios.ts'
import { loadScenario, MAX_SCENARIO_BYTES } from './load-scenario.ts'
import { SCENARIO_CATALOG_DIR } from './scenario-catalog.ts'

const baseText = readFileSync(join(SCENARIO_CATALOG_DIR, 'bad-pricing', 'scenario.yaml'), 'utf8')
const work = mkdtempSync(join(tmpdir(), 'firedrill-scenario-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

let counter = 0
function writeScenario(text: string): string {
  const dir = join(work, `s${++counter}`)
  mkdirSync(dir)
  for (const name of ['team.yaml', 'change.patch', 'fix.patch', 'cleanup.patch'])
    writeFileSync(join(dir, name), readFileSync(join(SCENARIO_CATALOG_DIR, 'bad-pricing', name)))
  const file = join(dir, 'scenario.yaml')
  writeFileSync(file, text)
  return file
}

// biome-ignore lint/suspicious/noExplicitAny: tests edit arbitrary YAML trees to break them on purpose
type YamlTree = Record<string, any>

function variant(edit: (doc: YamlTree) => void): string {
  const doc = parse(baseText)
  edit(doc)
  return writeScenario(stringify(doc))
}

async function failure(pathOrName: string): Promise<FiredrillInputError> {
  const err = await loadScenario(pathOrName).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(FiredrillInputError)
  const input = err as FiredrillInputError
  expect(input.exitCode).toBe(2)
  return input
}

function problemPaths(err: FiredrillInputError): string[] {
  return (err as ScenarioInvalidError).problems.map((p) => p.path)
}

describe('scenario loading', () => {
  it('loads the built-in bad-pricing scenario by name, frozen, with defaults filled', async () => {
    const loaded = await loadScenario('bad-pricing')
    expect(loaded.name).toBe('bad-pricing')
    expect(loaded.scenario.change.flag).toBe('checkout.new-pricing')
    expect(loaded.scenario.release.steps.map((s) => s.percent)).toEqual([5, 25, 50, 100])
    expect(Object.isFrozen(loaded.scenario.release.steps[0])).toBe(true)
  })

  it('loads a scenario by path and by folder', async () => {
    const file = writeScenario(baseText)
    expect((await loadScenario(file)).scenario.seed).toBe(42)
    expect((await loadScenario(join(file, '..'))).file).toBe(file)
  })

  it('fills documented defaults for sections left out', async () => {
    const file = variant((doc) => {
      delete doc.detection
      delete doc.responder
      delete doc.recovery
      delete doc.slo
      delete doc.followUp
    })
    const { scenario } = await loadScenario(file)
    expect(scenario.slo).toEqual({
      objective: 0.99,
      window: '30d',
      indicators: [{ name: 'orders-availability', sli: 'availability' }],
    })
    expect(scenario.responder).toEqual({
      kind: 'bot',
      ackDelaySeconds: 3,
      targets: { acknowledgeSeconds: 30, mitigateSeconds: 120, firstUpdateSeconds: 90 },
    })
    expect(scenario.detection.rules.map((r) => [r.longWindow, r.shortWindow, r.burnRate])).toEqual([
      ['1h', '5m', 14.4],
      ['6h', '30m', 6],
    ])
    expect(scenario.recovery.consecutiveEvaluations).toBe(4)
  })

  it('lists the catalog with names, titles and descriptions', async () => {
    const listing = await listScenarios()
    expect(listing.map((s) => s.name)).toContain('bad-pricing')
    expect(listing.every((s) => s.title.length > 0 && s.description.length > 0)).toBe(true)
  })
})

describe('scenario refusal', () => {
  it('names the catalog when a scenario does not exist', async () => {
    const err = await failure('no-such-drill')
    expect(err.code).toBe(RecordErrorCode.SCENARIO_NOT_FOUND)
    expect(err.message).toContain('bad-pricing')
  })

  it('refuses an unknown key with its field path', async () => {
    const file = variant((doc) => {
      doc.traffic.ratePerSecnd = 5
    })
    const err = await failure(file)
    expect(err.code).toBe(RecordErrorCode.SCENARIO_INVALID)
    expect(problemPaths(err)).toEqual(['traffic.ratePerSecnd'])
    expect(err.message).toContain(`${file}: traffic.ratePerSecnd`)
  })

  it('refuses a wrong type with what was expected and what it got', async () => {
    const file = variant((doc) => {
      doc.seed = 'forty-two'
    })
    const err = await failure(file)
    expect(err.code).toBe(RecordErrorCode.SCENARIO_INVALID)
    expect((err as ScenarioInvalidError).problems[0]).toEqual({
      path: 'seed',
      expected: expect.stringContaining('integer'),
      got: '"forty-two"',
    })
  })

  it('refuses a release percent out of range at its index', async () => {
    const file = variant((doc) => {
      doc.release.steps[2].percent = 140
    })
    const err = await failure(file)
    expect(problemPaths(err)).toEqual(['release.steps[2].percent'])
    expect(err.message).toContain('release.steps[2].percent must be a number 0..100 (got 140)')
  })

  it('refuses canary steps that go down', async () => {
    const file = variant((doc) => {
      doc.release.steps[1].percent = 3
    })
    expect(problemPaths(await failure(file))).toEqual(['release.steps[1].percent'])
  })

  it('refuses a short window that is not shorter than the long one', async () => {
    const file = variant((doc) => {
      doc.detection.rules[0].shortWindow = '2h'
    })
    expect(problemPaths(await failure(file))).toEqual(['detection.rules[0].shortWindow'])
  })

  it('refuses a scaled short window that holds fewer than two scrapes', async () => {
    const file = variant((doc) => {
      doc.detection.scrapeIntervalMs = 1_000
    })
    expect(problemPaths(await failure(file))).toEqual(['detection.rules[0].shortWindow'])
  })

  it('refuses a change without the flag that guards it', async () => {
    const file = variant((doc) => {
      delete doc.change.flag
    })
    expect(problemPaths(await failure(file))).toEqual(['change.flag'])
  })

  it('refuses a non-integer seed and a malformed duration', async () => {
    const file = variant((doc) => {
      doc.seed = 4.2
      doc.slo.window = '30 days'
    })
    expect(problemPaths(await failure(file))).toEqual(['seed', 'slo.window'])
  })

  it('refuses a file that names a patch that is not there', async () => {
    const file = variant((doc) => {
      doc.change.patch = 'missing.patch'
    })
    const err = await failure(file)
    expect(err.code).toBe(RecordErrorCode.SCENARIO_FILE_NOT_FOUND)
    expect(err.message).toContain('change.patch')
  })

  it('refuses an alias bomb before expanding it', async () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]',
    ].join('\n')
    const err = await failure(writeScenario(bomb))
    expect(err.code).toBe(RecordErrorCode.SCENARIO_ALIAS_LIMIT)
  })

  it('refuses a file past the size cap without parsing it', async () => {
    const file = writeScenario(`${baseText}\n#${'x'.repeat(MAX_SCENARIO_BYTES)}\n`)
    expect((await failure(file)).code).toBe(RecordErrorCode.SCENARIO_TOO_LARGE)
  })

  it('refuses more than one YAML document', async () => {
    const err = await failure(writeScenario(`${baseText}\n---\n${baseText}`))
    expect(err.code).toBe(RecordErrorCode.SCENARIO_MULTIPLE_DOCUMENTS)
  })

  it('refuses broken YAML with its line', async () => {
    const err = await failure(writeScenario('title: x\nseed: [1, 2\n'))
    expect(err.code).toBe(RecordErrorCode.SCENARIO_YAML_SYNTAX)
  })

  it('refuses duplicate keys', async () => {
    const err = await failure(writeScenario(`seed: 1\n${baseText}`))
    expect(err.code).toBe(RecordErrorCode.SCENARIO_YAML_SYNTAX)
  })

  it('refuses a document that is not a mapping', async () => {
    const err = await failure(writeScenario('- just\n- a list\n'))
    expect(problemPaths(err)).toEqual(['(root)'])
  })

  it('lists a few problems and counts the rest', async () => {
    const file = variant((doc) => {
      for (const key of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) doc[key] = 1
    })
    const err = await failure(file)
    expect(problemPaths(err)).toHaveLength(5)
    expect(err.message).toContain('2 more')
  })
})
