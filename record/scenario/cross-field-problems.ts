import { HTTP_DURATION_BUCKETS } from '../../services/platform/metrics/http-metrics-plugin.ts'
import { ORDER_SETTLEMENT_BUCKETS } from '../../services/worker/fulfilment-metrics.ts'
import type { ScenarioProblem } from '../errors.ts'
import { formatDuration, parseDuration, scaleDuration } from './duration.ts'
import type { Scenario } from './scenario-schema.ts'

/**
 * Checks the schema cannot express: canary steps ascend, short windows are shorter than long ones and
 * still hold two scrapes once scaled, and rule names are unique. (The files a scenario names are checked when
 * they are opened, in `scenario-files.ts`.)
 */
export function crossFieldProblems(scenario: Scenario, raw: Record<string, unknown> = {}): ScenarioProblem[] {
  const problems: ScenarioProblem[] = []
  if (scenario.service.kind === 'target') return targetProblems(scenario, raw)
  if (scenario.change.fault.kind === 'dark-change')
    problems.push({
      path: 'change.fault.kind',
      expected:
        "must be one of the built-in shop's faults: dark-change is a target's own change (service.kind target)",
      got: JSON.stringify('dark-change'),
    })
  if (scenario.change.fault.kind === 'dependency-fault' || scenario.release.strategy === 'dependency-fault')
    return [
      {
        path: scenario.change.fault.kind === 'dependency-fault' ? 'change.fault.kind' : 'release.strategy',
        expected:
          "must name one of the built-in shop's faults and strategies: dependency-fault fails a target's dependency behind firedrill's fault proxy (service.kind target); the shop's provider-degraded is its counterpart",
        got: JSON.stringify('dependency-fault'),
      },
    ]

  const { min, max } = scenario.traffic.mix.itemsPerOrder
  if (min > max) {
    problems.push({
      path: 'traffic.mix.itemsPerOrder.max',
      expected: `must be at least itemsPerOrder.min (${min})`,
      got: String(max),
    })
  }

  scenario.release.steps.forEach((step, i) => {
    const previous = scenario.release.steps[i - 1]
    if (previous !== undefined && step.percent <= previous.percent) {
      problems.push({
        path: `release.steps[${i}].percent`,
        expected: `must be more than the step before it (${previous.percent}): canary steps go up`,
        got: String(step.percent),
      })
    }
  })

  const names = new Set<string>()
  scenario.detection.rules.forEach((rule, i) => {
    if (names.has(rule.name)) {
      problems.push({
        path: `detection.rules[${i}].name`,
        expected: 'must be unique',
        got: JSON.stringify(rule.name),
      })
    }
    names.add(rule.name)
    if (parseDuration(rule.shortWindow) >= parseDuration(rule.longWindow)) {
      problems.push({
        path: `detection.rules[${i}].shortWindow`,
        expected: `must be shorter than longWindow (${rule.longWindow})`,
        got: JSON.stringify(rule.shortWindow),
      })
      return
    }
    const shortMs = scaleDuration(rule.shortWindow, scenario.timeScale)
    const needed = 2 * scenario.detection.scrapeIntervalMs
    if (shortMs < needed) {
      problems.push({
        path: `detection.rules[${i}].shortWindow`,
        expected:
          `must last at least two scrapes once scaled (${needed} ms at scrapeIntervalMs ${scenario.detection.scrapeIntervalMs}); ` +
          'raise timeScale, lengthen the window or scrape more often',
        got: `${JSON.stringify(rule.shortWindow)} = ${shortMs} ms`,
      })
    }
  })

  problems.push(...sloProblems(scenario))

  problems.push(...releaseProblems(scenario))

  scenario.decoys.forEach((decoy, i) => {
    if (scenario.change.flag !== undefined && decoy.flag === scenario.change.flag)
      problems.push({
        path: `decoys[${i}].flag`,
        expected: `must not be the change's own flag (${scenario.change.flag}): a decoy is a flag the incident has nothing to do with`,
        got: JSON.stringify(decoy.flag),
      })
  })
  if (scenario.change.stoppedBy !== undefined && scenario.change.patch === undefined)
    problems.push({
      path: 'change.stoppedBy',
      expected:
        'needs change.patch: only a committed change can be refused by the gate; add the patch or remove stoppedBy',
      got: JSON.stringify(scenario.change.stoppedBy),
    })
  if (
    scenario.change.fault.kind === 'artifact-retagged' &&
    scenario.change.stoppedBy !== 'deploy-verification'
  )
    problems.push({
      path: 'change.stoppedBy',
      expected: 'must be deploy-verification for an artifact-retagged change: production refuses the rebuild',
      got: scenario.change.stoppedBy === undefined ? 'nothing' : JSON.stringify(scenario.change.stoppedBy),
    })
  problems.push(...retryStormProblems(scenario))
  problems.push(...contractBreakProblems(scenario))
  if (scenario.change.fault.kind === 'secret-committed' && scenario.change.stoppedBy === undefined)
    problems.push({
      path: 'change.stoppedBy',
      expected:
        "is required for a secret-committed change: the gate step that refuses it (secret-scan in the shop's gate)",
      got: 'nothing',
    })

  return problems
}

/**
 * A flag-canary release needs the change's flag; a rolling release ships the change unflagged, each batch a
 * whole number of api instances, the last one all of them; a blue-green release ships it unflagged in one switch.
 */
function releaseProblems(scenario: Scenario): ScenarioProblem[] {
  const { strategy, steps } = scenario.release
  const { flag, stoppedBy } = scenario.change
  const external = scenario.change.fault.kind === 'provider-degraded'
  if (strategy === 'provider-fault' || external) return providerFaultProblems(scenario)
  if (strategy === 'flag-canary') {
    if (stoppedBy === 'deploy-health')
      return [
        {
          path: 'change.stoppedBy',
          expected:
            'deploy-health needs release.strategy rolling: a flag-canary release deploys dark before any traffic, so nothing is there to fail a health check',
          got: JSON.stringify(stoppedBy),
        },
      ]
    if (flag === undefined)
      return [
        {
          path: 'change.flag',
          expected:
            'is required by the flag-canary release: the flag the change ships behind (or set release.strategy: rolling for an unflagged change)',
          got: 'nothing',
        },
      ]
    return []
  }
  const problems: ScenarioProblem[] = []
  if (flag !== undefined)
    problems.push({
      path: 'change.flag',
      expected: `must be absent with release.strategy ${strategy}: a ${strategy} release ships the change without a flag`,
      got: JSON.stringify(flag),
    })
  if (stoppedBy !== undefined && (stoppedBy !== 'deploy-health' || strategy !== 'rolling'))
    problems.push({
      path: 'change.stoppedBy',
      expected:
        strategy !== 'rolling'
          ? `must be absent with release.strategy ${strategy}; use flag-canary for a near miss at the gate, or rolling for one at deploy time`
          : 'can only be deploy-health with release.strategy rolling (the deploy rolls itself back); use flag-canary for a near miss at the gate',
      got: JSON.stringify(stoppedBy),
    })
  if (strategy === 'instance-canary') {
    const [first, last] = steps
    if (
      steps.length !== 2 ||
      first === undefined ||
      !Number.isInteger(first.percent) ||
      first.percent < 1 ||
      first.percent > 99 ||
      last?.percent !== 100
    )
      problems.push({
        path: 'release.steps',
        expected:
          "must be two steps with release.strategy instance-canary: the canary instance's share of traffic (a whole percent, 1..99), then 100 (every instance)",
        got: JSON.stringify(steps.map((s) => s.percent)),
      })
    return problems
  }
  if (strategy === 'blue-green') {
    if (steps.length !== 1 || steps[0]?.percent !== 100)
      problems.push({
        path: 'release.steps',
        expected:
          'must be one step of percent 100 with release.strategy blue-green: traffic switches to the green instances all at once',
        got: JSON.stringify(steps.map((s) => s.percent)),
      })
    return problems
  }
  if (scenario.service.kind !== 'builtin-shop') return problems
  const instances = scenario.service.api
  steps.forEach((step, i) => {
    const share = (step.percent / 100) * instances
    if (step.percent === 0 || Math.abs(share - Math.round(share)) > 1e-9)
      problems.push({
        path: `release.steps[${i}].percent`,
        expected: `must be a whole number of the ${instances} api instances in a rolling batch (a multiple of ${formatPercent(100 / instances)}%)`,
        got: String(step.percent),
      })
  })
  const last = steps[steps.length - 1]
  if (last !== undefined && last.percent !== 100)
    problems.push({
      path: `release.steps[${steps.length - 1}].percent`,
      expected: 'must be 100 in a rolling release: the last batch updates every api instance',
      got: String(last.percent),
    })
  return problems
}

/**
 * A dependency's fault is released by the `provider-fault` strategy and nothing else: no change of ours, so no
 * flag, patch or stoppedBy; a decoy must not be the degrade switch (turning it is the mitigation).
 */
function providerFaultProblems(scenario: Scenario): ScenarioProblem[] {
  const problems: ScenarioProblem[] = []
  const { change, release } = scenario
  if (change.fault.kind !== 'provider-degraded')
    return [
      {
        path: 'release.strategy',
        expected:
          "can be provider-fault only with change.fault.kind provider-degraded: the provider's fault is what it releases",
        got: JSON.stringify(release.strategy),
      },
    ]
  if (release.strategy !== 'provider-fault')
    problems.push({
      path: 'release.strategy',
      expected: 'must be provider-fault for a provider-degraded fault: no change of ours is released',
      got: JSON.stringify(release.strategy),
    })
  for (const key of ['flag', 'patch', 'stoppedBy'] as const)
    if (change[key] !== undefined)
      problems.push({
        path: `change.${key}`,
        expected:
          'must be absent for a provider-degraded fault: the cause is a dependency, not a change of ours',
        got: JSON.stringify(change[key]),
      })
  if (scenario.service.kind !== 'builtin-shop')
    problems.push({
      path: 'service.kind',
      expected:
        "must be builtin-shop for a provider-degraded fault: it needs the shop's virtualised provider",
      got: JSON.stringify(scenario.service.kind),
    })
  if (!release.steps.some((s) => s.percent > 0))
    problems.push({
      path: 'release.steps',
      expected: "must have a step above 0 %: that step turns the provider's fault on",
      got: release.steps.map((s) => s.percent).join(', '),
    })
  const degradeSwitch = change.fault.degradeSwitch
  scenario.decoys.forEach((decoy, i) => {
    if (decoy.flag === degradeSwitch)
      problems.push({
        path: `decoys[${i}].flag`,
        expected: `must not be the degrade switch (${degradeSwitch}): turning it is the mitigation, not a decoy`,
        got: JSON.stringify(decoy.flag),
      })
  })
  return problems
}

/**
 * A target's scenario takes the service, its flag and its traffic from the target file, and its change is the
 * team's own, released by that flag: nothing here may say otherwise.
 */
function targetProblems(scenario: Scenario, raw: Record<string, unknown>): ScenarioProblem[] {
  const problems: ScenarioProblem[] = []
  const refuse = (path: string, expected: string, got: unknown) =>
    problems.push({ path, expected, got: got === undefined ? 'nothing' : JSON.stringify(got) })
  if ('traffic' in raw)
    refuse('traffic', "must be absent for a target: its traffic is the target file's traffic", raw.traffic)
  if (scenario.change.flag !== undefined)
    refuse(
      'change.flag',
      "must be absent for a target: the flag is the target file's flags.flag",
      scenario.change.flag,
    )
  if (scenario.change.patch !== undefined)
    refuse(
      'change.patch',
      "must be absent for a target: the change is the team's own, already deployed dark",
      scenario.change.patch,
    )
  if (scenario.change.stoppedBy !== undefined)
    refuse(
      'change.stoppedBy',
      'must be absent for a target: its change is released, not gated, by the drill',
      scenario.change.stoppedBy,
    )
  const fault = scenario.change.fault
  if (fault.kind !== 'dark-change' && fault.kind !== 'dependency-fault')
    refuse(
      'change.fault.kind',
      "must be dark-change or dependency-fault for a target: the built-in shop's faults need the shop",
      fault.kind,
    )
  if (fault.kind === 'dependency-fault') {
    if (scenario.release.strategy !== 'dependency-fault')
      refuse(
        'release.strategy',
        "must be dependency-fault for a dependency-fault: the drill releases the dependency's fault, no change of ours",
        scenario.release.strategy,
      )
    const inject = fault.inject
    if (inject.latency === undefined && inject.status === undefined && inject.reset === undefined)
      refuse(
        'change.fault.inject',
        'must name what the proxy does to the calls it strikes: latency: { ms }, status: { code } or reset: {}',
        inject,
      )
    const written = (raw.change as { fault?: Record<string, unknown> } | undefined)?.fault
    if (written !== undefined && 'degradeSwitch' in written)
      refuse(
        'change.fault.degradeSwitch',
        "must be absent: the degrade switch is the target file's dependencies[].degradeSwitch",
        written.degradeSwitch,
      )
    if (!scenario.release.steps.some((s) => s.percent > 0))
      refuse(
        'release.steps',
        "must have a step above 0 %: that step turns the dependency's fault on",
        scenario.release.steps.map((s) => s.percent).join(', '),
      )
  } else if (scenario.release.strategy !== 'flag-canary')
    refuse(
      'release.strategy',
      "must be flag-canary for a target's dark-change: the drill releases the team's change by its flag",
      scenario.release.strategy,
    )
  if (scenario.followUp.fix !== undefined || scenario.followUp.cleanup !== undefined)
    refuse(
      'followUp',
      "must have no fix or cleanup patch for a target: the follow-up is the team's own",
      'a patch',
    )
  if (scenario.decoys.length > 0)
    refuse(
      'decoys',
      'must be empty for a target: decoys flip flags in the built-in shop',
      `${scenario.decoys.length} decoys`,
    )
  scenario.release.steps.forEach((step, i) => {
    const previous = scenario.release.steps[i - 1]
    if (previous !== undefined && step.percent <= previous.percent)
      refuse(
        `release.steps[${i}].percent`,
        `must be more than the step before it (${previous.percent}): canary steps go up`,
        step.percent,
      )
  })
  // The target's histogram has buckets of its own: the preflight checks the SLIs against it.
  const names = new Set<string>()
  scenario.slo.indicators.forEach((indicator, i) => {
    if (names.has(indicator.name)) refuse(`slo.indicators[${i}].name`, 'must be unique', indicator.name)
    names.add(indicator.name)
    if (indicator.sli === 'fulfilment')
      refuse(
        `slo.indicators[${i}].sli`,
        "must be availability or latency for a target: fulfilment is the built-in shop's worker",
        indicator.sli,
      )
    if (indicator.sli === 'latency' && indicator.threshold === undefined)
      refuse(
        `slo.indicators[${i}].threshold`,
        "is required for a latency SLI: a bucket bound of the target's histogram, like 500ms",
        undefined,
      )
  })
  return problems
}

const formatPercent = (n: number) => String(Math.round(n * 100) / 100)

/** What each SLI kind needs: latency a threshold, fulfilment a deadline, each on a bucket of its histogram. */
const SLI_BOUND = {
  latency: { field: 'threshold', buckets: HTTP_DURATION_BUCKETS, histogram: "the api's request-duration" },
  fulfilment: { field: 'deadline', buckets: ORDER_SETTLEMENT_BUCKETS, histogram: "the worker's settlement" },
} as const

/** SLO names are unique; latency has a threshold and fulfilment a deadline, each a bucket; nothing else has one. */
function sloProblems(scenario: Scenario): ScenarioProblem[] {
  const problems: ScenarioProblem[] = []
  const names = new Set<string>()
  scenario.slo.indicators.forEach((indicator, i) => {
    const at = `slo.indicators[${i}]`
    if (names.has(indicator.name))
      problems.push({ path: `${at}.name`, expected: 'must be unique', got: JSON.stringify(indicator.name) })
    names.add(indicator.name)
    for (const [kind, bound] of Object.entries(SLI_BOUND)) {
      const value = indicator[bound.field]
      if (indicator.sli !== kind) {
        if (value !== undefined)
          problems.push({
            path: `${at}.${bound.field}`,
            expected: `is only for a ${kind} SLI (this one is ${indicator.sli}); remove it`,
            got: JSON.stringify(value),
          })
        continue
      }
      const wholeMs = bound.buckets.map((b) => b * 1000).filter((ms) => Number.isInteger(ms))
      const choices = wholeMs.map((ms) => formatDuration(ms)).join(', ')
      if (value === undefined) {
        problems.push({
          path: `${at}.${bound.field}`,
          expected: `is required for a ${kind} SLI: one of ${choices}`,
          got: 'nothing',
        })
        continue
      }
      if (!wholeMs.includes(parseDuration(value)))
        problems.push({
          path: `${at}.${bound.field}`,
          expected: `must be a bucket of ${bound.histogram} histogram: one of ${choices}`,
          got: JSON.stringify(value),
        })
    }
  })
  return problems
}

/**
 * A change whose retries meet a provider blip: released by its flag in canary steps on the built-in shop (its
 * virtualised provider has the capacity and the blip), and the blip over before the last step's hold is.
 */
function retryStormProblems(scenario: Scenario): ScenarioProblem[] {
  const { fault } = scenario.change
  if (fault.kind !== 'charges-retried-at-once') return []
  const problems: ScenarioProblem[] = []
  if (scenario.release.strategy !== 'flag-canary')
    problems.push({
      path: 'release.strategy',
      expected: 'must be flag-canary for a charges-retried-at-once change: its flag releases the retries',
      got: JSON.stringify(scenario.release.strategy),
    })
  if (scenario.service.kind !== 'builtin-shop')
    problems.push({
      path: 'service.kind',
      expected:
        "must be builtin-shop for a charges-retried-at-once change: the blip and the capacity are the shop's virtualised provider's",
      got: JSON.stringify(scenario.service.kind),
    })
  const last = scenario.release.steps.at(-1)
  const { afterSeconds, seconds } = fault.blip
  if (last !== undefined && afterSeconds + seconds >= last.holdSeconds)
    problems.push({
      path: 'change.fault.blip.afterSeconds',
      expected: `must end (afterSeconds + seconds) before the last release step's hold does (${last.holdSeconds} s)`,
      got: `${afterSeconds} + ${seconds}`,
    })
  return problems
}

/**
 * A renamed order field breaks only readers still on the build before: with workers that roll onto the change
 * (which reads both names) there is no break to drill.
 */
function contractBreakProblems(scenario: Scenario): ScenarioProblem[] {
  if (scenario.change.fault.kind !== 'order-record-renamed' || scenario.release.workers === 'keep') return []
  return [
    {
      path: 'release.workers',
      expected:
        'must be keep for an order-record-renamed change: the break is the workers left on the build before reading the old name',
      got: JSON.stringify(scenario.release.workers),
    },
  ]
}
