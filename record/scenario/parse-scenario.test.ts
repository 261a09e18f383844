import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import { RecordErrorCode, type ScenarioInvalidError } from '../errors.ts'
import { loadScenario } from './load-scenario.ts'
import { MAX_REPORTED_PROBLEMS, parseScenario } from './parse-scenario.ts'
import { SCENARIO_CATALOG_DIR } from './scenario-catalog.ts'

const DIR = join(SCENARIO_CATALOG_DIR, 'bad-pricing')
const FILE = 'my-scenario.yaml'

function problemsOf(text: string): ScenarioInvalidError {
  try {
    parseScenario(text, FILE)
  } catch (err) {
    expect((err as ScenarioInvalidError).code).toBe(RecordErrorCode.SCENARIO_INVALID)
    return err as ScenarioInvalidError
  }
  throw new Error('the scenario was accepted')
}

describe('scenario errors', () => {
  it('puts a wrong value the author wrote before the fields that are missing', () => {
    // Regression: `seed: "abc"` was hidden behind five "is required" lines and "… and 3 more".
    const err = problemsOf('title: A drill\nseed: "abc"\n')
    expect(err.problems[0]).toEqual({
      path: 'seed',
      expected: expect.stringContaining('integer'),
      got: '"abc"',
    })
    expect(err.problems.slice(1).every((p) => p.got === 'nothing')).toBe(true)
    expect(err.problems).toHaveLength(MAX_REPORTED_PROBLEMS)
    expect(err.message.indexOf('seed must be')).toBeLessThan(err.message.indexOf('is required'))
  })

  it('lists every written mistake before any missing field, however many fields are missing', () => {
    const err = problemsOf(
      'title: A drill\nseed: -1\ntimeScale: 7\nservice: { kind: builtin-shop, api: 0 }\n',
    )
    const written = err.problems.filter((p) => p.got !== 'nothing').map((p) => p.path)
    expect(written).toEqual(expect.arrayContaining(['seed', 'timeScale', 'service.api']))
    expect(err.problems.slice(0, written.length).every((p) => p.got !== 'nothing')).toBe(true)
  })

  it('names the field a mistyped key most likely meant', () => {
    const doc = parse(readFileSync(join(DIR, 'scenario.yaml'), 'utf8'))
    doc.sede = doc.seed
    delete doc.seed
    doc.traffic.ratePerSecnd = 5
    const err = problemsOf(stringify(doc))
    const byPath = new Map(err.problems.map((p) => [p.path, p.expected]))
    expect(byPath.get('sede')).toContain('did you mean "seed"?')
    expect(byPath.get('traffic.ratePerSecnd')).toContain('did you mean "ratePerSecond"?')
    expect(err.message).toContain(`${FILE}: sede is not a known field (did you mean "seed"?`)
  })

  it('judges a fault by the member its kind names, and names the kind a mistyped one most likely meant', () => {
    const doc = parse(readFileSync(join(SCENARIO_CATALOG_DIR, 'contract-break', 'scenario.yaml'), 'utf8'))
    doc.change.fault.kind = 'order-record-renamd'
    const typo = problemsOf(stringify(doc))
    expect(typo.problems).toEqual([
      {
        path: 'change.fault.kind',
        expected:
          'must be one of "coupon-orders-fail", "order-record-renamed", "secret-committed", "artifact-retagged", "orders-slowed", "coupon-kind-unpriced", "startup-migration-fails", "currency-orders-fail", "provider-degraded", "charges-retried-at-once", "dark-change", "dependency-fault" (did you mean "order-record-renamed"?)',
        got: '"order-record-renamd"',
      },
    ])

    doc.change.fault = { kind: 'order-record-renamed', field: 'totalCents', statusCode: 500 }
    const mixed = problemsOf(stringify(doc))
    expect(mixed.problems.map((p) => [p.path, p.got])).toEqual([
      ['change.fault.statusCode', '500'],
      ['change.fault.renamedTo', 'nothing'],
    ])
    expect(mixed.problems[0]?.expected).toContain('allowed: kind, field, renamedTo')
  })
})

describe('a change the gate must stop', () => {
  const secret = () =>
    parse(readFileSync(join(SCENARIO_CATALOG_DIR, 'secret-in-change', 'scenario.yaml'), 'utf8'))

  it('needs a patch to refuse, and a committed secret needs the step that refuses it', () => {
    const noPatch = secret()
    delete noPatch.change.patch
    expect(problemsOf(stringify(noPatch)).problems).toEqual([
      {
        path: 'change.stoppedBy',
        expected:
          'needs change.patch: only a committed change can be refused by the gate; add the patch or remove stoppedBy',
        got: '"secret-scan"',
      },
    ])
    const noStep = secret()
    delete noStep.change.stoppedBy
    expect(problemsOf(stringify(noStep)).problems.map((p) => [p.path, p.got])).toEqual([
      ['change.stoppedBy', 'nothing'],
    ])
  })

  it('a flag-canary release needs the flag; a rolling one has none and rolls whole instances, ending on all', () => {
    const canary = parse(readFileSync(join(DIR, 'scenario.yaml'), 'utf8'))
    delete canary.change.flag
    expect(problemsOf(stringify(canary)).problems.map((p) => [p.path, p.got])).toEqual([
      ['change.flag', 'nothing'],
    ])
    const rolling = parse(
      readFileSync(join(SCENARIO_CATALOG_DIR, 'unflagged-change', 'scenario.yaml'), 'utf8'),
    )
    expect(() => parseScenario(stringify(rolling), FILE)).not.toThrow()
    rolling.change.flag = 'checkout.free-shipping'
    rolling.release.steps = [
      { percent: 25, holdSeconds: 1 },
      { percent: 50, holdSeconds: 1 },
    ]
    expect(problemsOf(stringify(rolling)).problems).toEqual([
      expect.objectContaining({ path: 'change.flag', got: '"checkout.free-shipping"' }),
      {
        path: 'release.steps[0].percent',
        expected: 'must be a whole number of the 2 api instances in a rolling batch (a multiple of 50%)',
        got: '25',
      },
      expect.objectContaining({
        path: 'release.steps[1].percent',
        expected: expect.stringMatching(/must be 100/),
      }),
    ])
    const healthOnCanary = parse(readFileSync(join(DIR, 'scenario.yaml'), 'utf8'))
    healthOnCanary.change.stoppedBy = 'deploy-health'
    expect(problemsOf(stringify(healthOnCanary)).problems).toEqual([
      expect.objectContaining({
        path: 'change.stoppedBy',
        expected: expect.stringMatching(/needs release.strategy rolling/),
      }),
    ])
    rolling.release.strategy = 'blue-green'
    delete rolling.change.flag
    expect(problemsOf(stringify(rolling)).problems).toEqual([
      expect.objectContaining({
        path: 'release.steps',
        expected: expect.stringMatching(/one step of percent 100 with release.strategy blue-green/),
      }),
    ])
    rolling.release.steps = [{ percent: 100, holdSeconds: 10 }]
    expect(parseScenario(stringify(rolling), FILE).release.strategy).toBe('blue-green')
    rolling.release.strategy = 'instance-canary'
    expect(problemsOf(stringify(rolling)).problems).toEqual([
      expect.objectContaining({
        path: 'release.steps',
        expected: expect.stringMatching(/must be two steps/),
      }),
    ])
    rolling.release.steps = [
      { percent: 20, holdSeconds: 10 },
      { percent: 100, holdSeconds: 10 },
    ]
    expect(parseScenario(stringify(rolling), FILE).release.strategy).toBe('instance-canary')
    rolling.release.strategy = 'big-bang'
    expect(problemsOf(stringify(rolling)).problems[0]).toMatchObject({ path: 'release.strategy' })
  })

  it("watches a deploy by default, and names the watch's field that is wrong", () => {
    const doc = parse(readFileSync(join(SCENARIO_CATALOG_DIR, 'unflagged-change', 'scenario.yaml'), 'utf8'))
    expect(parseScenario(stringify(doc), FILE).release.watch).toEqual({
      enabled: true,
      observationMinutes: 10,
      maxErrorRatio: 0.01,
      p95HeadroomPct: 20,
      p95MinIncreaseMs: 25,
      minRequests: 50,
      consecutiveBreaches: 3,
    })
    doc.release.watch = { observationMinutes: 5, p95HeadroomPct: 50 }
    expect(parseScenario(stringify(doc), FILE).release.watch).toMatchObject({
      observationMinutes: 5,
      p95HeadroomPct: 50,
      maxErrorRatio: 0.01,
    })
    doc.release.watch = { observationMinutes: 0, maxErrorRatio: 2, p95Headroom: 20 }
    const err = problemsOf(stringify(doc))
    expect(err.problems.map((p) => [p.path, p.got])).toEqual(
      expect.arrayContaining([
        ['release.watch.observationMinutes', '0'],
        ['release.watch.maxErrorRatio', '2'],
        ['release.watch.p95Headroom', expect.any(String)],
      ]),
    )
    expect(err.message).toContain(`${FILE}: release.watch.observationMinutes must be`)
  })

  it('names a step as a gate file does', () => {
    const doc = secret()
    doc.change.stoppedBy = '-secret scan!'
    expect(problemsOf(stringify(doc)).problems.map((p) => [p.path, p.expected])).toEqual([
      ['change.stoppedBy', "must be the name of a step in the shop's gate, like secret-scan"],
    ])
  })
})

describe('a moved tag', () => {
  it('must be stopped by deploy verification, and its rebuild patch is one of the scenario files', async () => {
    const doc = parse(readFileSync(join(SCENARIO_CATALOG_DIR, 'mutable-tag', 'scenario.yaml'), 'utf8'))
    doc.change.stoppedBy = 'secret-scan'
    expect(problemsOf(stringify(doc)).problems).toEqual([
      {
        path: 'change.stoppedBy',
        expected:
          'must be deploy-verification for an artifact-retagged change: production refuses the rebuild',
        got: '"secret-scan"',
      },
    ])
    const loaded = await loadScenario(join(SCENARIO_CATALOG_DIR, 'mutable-tag'))
    expect(loaded.files['change.fault.rebuild']).toBe(
      join(SCENARIO_CATALOG_DIR, 'mutable-tag', 'rebuild.patch'),
    )
  })
})

describe('decoys', () => {
  it("are never the change's own flag, and say when they happen", () => {
    const doc = parse(readFileSync(join(DIR, 'scenario.yaml'), 'utf8'))
    doc.decoys[0].flag = 'checkout.new-pricing'
    doc.decoys[0].after = 'alert'
    expect(problemsOf(stringify(doc)).problems.map((p) => [p.path, p.expected])).toEqual([
      ['decoys[0].after', 'must be release or page'],
    ])
    doc.decoys[0].after = 'page'
    expect(problemsOf(stringify(doc)).problems.map((p) => [p.path, p.expected])).toEqual([
      [
        'decoys[0].flag',
        "must not be the change's own flag (checkout.new-pricing): a decoy is a flag the incident has nothing to do with",
      ],
    ])
  })
})

describe("a target's scenario", () => {
  const TARGET = readFileSync(join(SCENARIO_CATALOG_DIR, 'target-canary', 'scenario.yaml'), 'utf8')

  it("takes its flag and traffic from the target file, and the team's change from nobody", () => {
    expect(parseScenario(TARGET, FILE).service).toEqual({ kind: 'target' })
    const doc = parse(TARGET)
    doc.traffic = { ratePerSecond: 10 }
    doc.change.flag = 'quotes.fx-v2'
    doc.change.fault = { kind: 'coupon-orders-fail' }
    doc.release.strategy = 'rolling'
    expect(problemsOf(stringify(doc)).problems.map((p) => p.path)).toEqual([
      'traffic',
      'change.flag',
      'change.fault.kind',
      'release.strategy',
    ])
  })

  it("is the only place a dark-change fault may be: the shop's drills need the shop's faults", () => {
    const doc = parse(readFileSync(join(DIR, 'scenario.yaml'), 'utf8'))
    doc.change.fault = { kind: 'dark-change' }
    expect(problemsOf(stringify(doc)).problems[0]).toMatchObject({
      path: 'change.fault.kind',
      expected: expect.stringContaining('service.kind target'),
    })
  })
})

describe("a dependency's fault (provider-degraded)", () => {
  const PROVIDER = readFileSync(join(SCENARIO_CATALOG_DIR, 'provider-degradation', 'scenario.yaml'), 'utf8')

  it('is released by the provider-fault strategy, with the provider mode and degrade switch it names', () => {
    const scenario = parseScenario(PROVIDER, FILE)
    expect(scenario.release.strategy).toBe('provider-fault')
    expect(scenario.change.fault).toEqual({
      kind: 'provider-degraded',
      provider: { mode: 'latency', ms: 1000 },
      degradeSwitch: 'payments.defer-charges',
    })
  })

  it('has no change of ours: no flag, patch or stoppedBy, and no decoy on the degrade switch', () => {
    const doc = parse(PROVIDER)
    doc.change.flag = 'checkout.new-pricing'
    doc.change.patch = 'change.patch'
    doc.decoys[0].flag = 'payments.defer-charges'
    expect(problemsOf(stringify(doc)).problems.map((p) => p.path)).toEqual([
      'change.flag',
      'change.patch',
      'decoys[0].flag',
    ])
  })

  it('needs its own strategy, and the strategy needs it', () => {
    const doc = parse(PROVIDER)
    doc.release.strategy = 'flag-canary'
    expect(problemsOf(stringify(doc)).problems.map((p) => p.path)).toEqual(['release.strategy'])
    const other = parse(readFileSync(join(DIR, 'scenario.yaml'), 'utf8'))
    other.release.strategy = 'provider-fault'
    expect(problemsOf(stringify(other)).problems[0]).toMatchObject({
      path: 'release.strategy',
      expected: expect.stringContaining('provider-degraded'),
    })
  })

  it('refuses a provider mode the provider does not have, naming the field', () => {
    const doc = parse(PROVIDER)
    doc.change.fault.provider = { mode: 'latency', ms: -5 }
    expect(problemsOf(stringify(doc)).problems[0]?.path).toMatch(/^change\.fault/)
  })
})

describe('a change whose retries meet a provider blip (charges-retried-at-once)', () => {
  const STORM = readFileSync(join(SCENARIO_CATALOG_DIR, 'retry-storm', 'scenario.yaml'), 'utf8')

  it('names the retries, the provider capacity and the blip', () => {
    const scenario = parseScenario(STORM, FILE)
    expect(scenario.release.strategy).toBe('flag-canary')
    expect(scenario.change.fault).toEqual({
      kind: 'charges-retried-at-once',
      attempts: 10,
      capacityPerSecond: 50,
      blip: { provider: { mode: 'outage' }, afterSeconds: 3, seconds: 1 },
    })
  })

  it('needs the blip over before the last release step is, and a flag-canary release', () => {
    const doc = parse(STORM)
    doc.change.fault.blip.afterSeconds = 29.5
    doc.release.strategy = 'rolling'
    delete doc.change.flag
    const paths = problemsOf(stringify(doc)).problems.map((p) => p.path)
    expect(paths).toContain('change.fault.blip.afterSeconds')
    expect(paths).toContain('release.strategy')
  })
})

describe("production's workers and the release (release.workers)", () => {
  const CONTRACT = readFileSync(join(SCENARIO_CATALOG_DIR, 'contract-break', 'scenario.yaml'), 'utf8')

  it('rolls them with the change unless told to keep them', () => {
    const pricing = readFileSync(join(SCENARIO_CATALOG_DIR, 'bad-pricing', 'scenario.yaml'), 'utf8')
    expect(parse(pricing).release.workers).toBeUndefined()
    expect(parseScenario(pricing, FILE).release.workers).toBe('roll')
    expect(parseScenario(CONTRACT, FILE).release.workers).toBe('keep')
  })

  it('needs them kept for a renamed order field, naming the field', () => {
    const doc = parse(CONTRACT)
    doc.release.workers = 'roll'
    expect(problemsOf(stringify(doc)).problems).toContainEqual(
      expect.objectContaining({ path: 'release.workers', expected: expect.stringContaining('must be keep') }),
    )
    doc.release.workers = 'sometimes'
    expect(problemsOf(stringify(doc)).problems[0]).toMatchObject({
      path: 'release.workers',
      expected: expect.stringContaining('roll or keep'),
    })
  })
})
