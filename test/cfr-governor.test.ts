import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { parseGateFile } from '../gate/config/parse-gate-file.ts'
import { GateErrorCode } from '../gate/gate-errors.ts'
import { mergeWhenGreen } from '../gate/merge/merge-when-green.ts'
import { runGate } from '../gate/runner/run-gate.ts'
import { judgeChangeFailure } from '../gate/steps/cfr-governor-step.ts'
import { createFixtureRepo, type FixtureRepo, gateTestEnv } from '../gate/testing/fixture-repo.ts'
import type { DoraMetrics } from '../record/dora/dora-metrics.ts'

let repo: FixtureRepo | undefined
afterEach(async () => {
  await repo?.remove()
  repo = undefined
})

const env = () => gateTestEnv()

const NOW = new Date('2026-06-01T12:00:00.000Z')
const DAY = 86_400_000
const HOUR = 3_600_000
const at = (ms: number) => new Date(ms).toISOString()

/** `deploys` production deployments spread over days [fromDay, toDay) before NOW; the first `failures` each cause an incident resolved after `recoveryMs`. */
function period(
  tag: string,
  fromDay: number,
  toDay: number,
  deploys: number,
  failures: number,
  recoveryMs: number,
) {
  const step = (fromDay - toDay) / deploys
  const deployments = Array.from({ length: deploys }, (_, i) => ({
    deploy_id: `${tag}-d${i}`,
    environment: 'production',
    time_created: at(NOW.getTime() - (fromDay - i * step) * DAY),
    changes: [],
    result: 'success',
  }))
  const incidents = deployments.slice(0, failures).map((d, i) => {
    const start = Date.parse(d.time_created) + HOUR
    return {
      incident_id: `${tag}-i${i}`,
      time_created: at(start),
      time_resolved: at(start + recoveryMs),
      root_cause: null,
      deployment_id: d.deploy_id,
    }
  })
  return { deployments, incidents }
}

function eventsJson(baseline: ReturnType<typeof period>, trailing: ReturnType<typeof period>): string {
  return JSON.stringify({
    changes: [],
    deployments: [...baseline.deployments, ...trailing.deployments],
    incidents: [...baseline.incidents, ...trailing.incidents],
  })
}

const GATE = (events = 'dora/events.json') =>
  `version: 1\nsteps:\n  - name: governor\n    uses: cfr-governor\n    timeout: 30s\n    with: { events: ${events} }\n`

/** Baseline (days 110..35 before NOW): 10 deployments, 1 failed, recovered in 1 h. */
const BASELINE = period('b', 110, 35, 10, 1, HOUR)

describe('cfr-governor gate step', () => {
  it('is red when the trailing change failure rate regressed, and the branch is refused', async () => {
    repo = await createFixtureRepo(
      { 'dora/events.json': eventsJson(BASELINE, period('t', 28, 1, 10, 1, HOUR)) },
      GATE(),
    )
    const good = await runGate({ repo: repo.dir, env: env(), now: () => NOW })
    expect(good.result.green, good.result.steps[0]?.outputTail).toBe(true)

    await repo.commit(
      { 'dora/events.json': eventsJson(BASELINE, period('t', 28, 1, 5, 2, HOUR)) },
      'more failures',
      'bad',
    )
    await repo.commit({}, 'trunk', 'main')
    const bad = await runGate({ repo: repo.dir, ref: 'bad', env: env(), now: () => NOW })
    const [step] = bad.result.steps
    expect(step?.status).toBe('failed')
    expect(step?.reason).toContain('change failure rate')
    expect(step?.outputTail).toContain('trailing 40.0% > baseline 10.0% + 5.0% = 15.0%')
    expect(bad.result.green).toBe(false)
    await expect(mergeWhenGreen({ repo: repo.dir, branch: 'bad', env: env() })).rejects.toMatchObject({
      code: GateErrorCode.MERGE_REFUSED,
      refusal: 'red',
    })
  }, 30_000)

  it('is red when the trailing recovery time regressed past the ratio', async () => {
    repo = await createFixtureRepo(
      { 'dora/events.json': eventsJson(BASELINE, period('t', 28, 1, 10, 1, 3 * HOUR)) },
      GATE(),
    )
    const { result } = await runGate({ repo: repo.dir, env: env(), now: () => NOW, record: false })
    const [step] = result.steps
    expect(step?.status).toBe('failed')
    expect(step?.reason).toContain('recovery time')
    expect(step?.reason).not.toContain('change failure rate')
    expect(step?.outputTail).toContain('trailing median 180 min > baseline median 60 min × 1.5 = 90 min')
  }, 30_000)

  it('is green with both periods summed up when nothing regressed, honouring the with options', async () => {
    repo = await createFixtureRepo(
      { 'dora/events.json': eventsJson(BASELINE, period('t', 28, 1, 10, 1, 80 * 60_000)) },
      GATE(),
    )
    const { result } = await runGate({ repo: repo.dir, env: env(), now: () => NOW, record: false })
    const [step] = result.steps
    expect(step?.status, step?.outputTail).toBe('passed')
    expect(step?.outputTail).toContain('trailing 30d: change failure rate 10.0% (1/10 deployments)')
    expect(step?.outputTail).toContain('baseline 90d: change failure rate 10.0% (1/10 deployments)')

    await repo.commit(
      {
        'firedrill-gate.yaml': `${GATE()}      \n`.replace(
          '{ events: dora/events.json }',
          '{ events: dora/events.json, maxRecoveryTimeRatio: 1.2 }',
        ),
      },
      'tighter recovery limit',
    )
    const tight = await runGate({ repo: repo.dir, env: env(), now: () => NOW, record: false })
    expect(tight.result.steps[0]?.status).toBe('failed')
  }, 30_000)

  it('is red with the reason when the events file is missing or invalid', async () => {
    repo = await createFixtureRepo({}, GATE('dora/missing.json'))
    const missing = await runGate({ repo: repo.dir, env: env(), now: () => NOW, record: false })
    expect(missing.result.green).toBe(false)
    expect(missing.result.steps[0]).toMatchObject({ status: 'error' })
    expect(missing.result.steps[0]?.reason).toContain('dora/missing.json')

    await repo.commit(
      {
        'dora/missing.json': JSON.stringify({ changes: [], deployments: [{ deploy_id: 3 }], incidents: [] }),
      },
      'a broken export',
    )
    const invalid = await runGate({ repo: repo.dir, env: env(), now: () => NOW, record: false })
    expect(invalid.result.steps[0]).toMatchObject({ status: 'error' })
    expect(invalid.result.steps[0]?.reason).toContain('deployments[0]')
  }, 30_000)

  it('accepts its with options in the gate file and refuses unknown ones, a missing events file, and its keys on other steps', () => {
    const onOther =
      'version: 1\nsteps:\n  - name: secrets\n    uses: secret-scan\n    with: { trailingDays: 3 }\n'
    expect(() => parseGateFile(onOther, 'gate.yaml')).toThrow(
      expect.objectContaining({ code: GateErrorCode.GATE_FILE_INVALID }),
    )
    const text = GATE().replace(
      '{ events: dora/events.json }',
      '{ events: e.json, trailingDays: 14, baselineDays: 60, maxFailureRateIncrease: 0.1, maxRecoveryTimeRatio: 2 }',
    )
    expect(parseGateFile(text, 'gate.yaml').steps[0]).toMatchObject({
      kind: 'cfr-governor',
      governor: { events: 'e.json', trailingDays: 14, maxRecoveryTimeRatio: 2 },
    })
    for (const bad of [
      '{ events: e.json, maxFailureRate: 0.1 }',
      '{ events: e.json, trailingDays: 0 }',
      '{ trailingDays: 14 }',
    ])
      expect(() => parseGateFile(GATE().replace('{ events: dora/events.json }', bad), 'gate.yaml')).toThrow(
        expect.objectContaining({ code: GateErrorCode.GATE_FILE_INVALID }),
      )
  })
})

describe('change failure judgement', () => {
  const metrics = (rate: number, medianMs: number) =>
    ({
      changeFailureRate: { rate, failedDeployments: 0, deployments: 1 },
      failedDeploymentRecoveryTime: { medianMs, incidents: 1 },
    }) as DoraMetrics
  const options = {
    trailingDays: 30,
    baselineDays: 90,
    maxFailureRateIncrease: 0.05,
    maxRecoveryTimeRatio: 1.5,
  }

  it('is red exactly when a figure passes its limit', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        (baseRate, trailRate, baseMs, trailMs) => {
          const now = NOW.getTime()
          const verdict = judgeChangeFailure(
            (since) => (since === now - 30 * DAY ? metrics(trailRate, trailMs) : metrics(baseRate, baseMs)),
            options,
            now,
          )
          const rateRed = trailRate > baseRate + 0.05 + 1e-9
          const timeRed = trailMs > baseMs * 1.5
          expect(verdict.regressions.length).toBe(Number(rateRed) + Number(timeRed))
          if (trailRate <= baseRate && trailMs <= baseMs) expect(verdict.regressions).toEqual([])
        },
      ),
    )
  })
})
