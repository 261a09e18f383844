import { deepFreeze } from '../scenario/deep-freeze.ts'
import { parseDuration } from '../scenario/duration.ts'
import type { ValidScenario } from '../scenario/parse-scenario.ts'
import type { ValidTarget } from './parse-target.ts'
import { pickTimeScale } from './pick-time-scale.ts'

/** Every long and short window of the scenario's rules, in real (scenario) time, ms. */
export function ruleWindowsMs(scenario: ValidScenario): number[] {
  return scenario.detection.rules.flatMap((r) => [parseDuration(r.longWindow), parseDuration(r.shortWindow)])
}

/**
 * A target's scenario as the drill runs it on that target: the flag is the target's, the scrape and evaluation
 * interval the target's scrape interval (a dependency's fault: the dependency, the target's first unless the
 * scenario names one, and its degrade switch from the target), the time scale the fastest one whose scaled windows hold enough scrapes at
 * that interval (the scenario's own when none does: the preflight then refuses, with the numbers), and the traffic
 * rate the target's template rate. A pure function of the two files, so `report` rebuilds the same scenario.
 */
export function scenarioForTarget(scenario: ValidScenario, target: ValidTarget): ValidScenario {
  const scrapeIntervalMs = parseDuration(target.slis.scrapeInterval)
  const pick = pickTimeScale({ scrapeIntervalMs, windowsMs: ruleWindowsMs(scenario) })
  const traffic = target.traffic
  const fault = scenario.change.fault
  return deepFreeze({
    ...structuredClone(scenario),
    timeScale: pick.ok ? pick.timeScale : scenario.timeScale,
    traffic: {
      ...structuredClone(scenario.traffic),
      ...(traffic?.kind === 'template' ? { ratePerSecond: traffic.ratePerSecond } : {}),
    },
    change: {
      ...structuredClone(scenario.change),
      ...(fault.kind === 'dependency-fault'
        ? { fault: dependencyFault(fault, target) }
        : { flag: target.flags.flag }),
    },
    detection: {
      ...structuredClone(scenario.detection),
      scrapeIntervalMs,
      evaluationIntervalMs: scrapeIntervalMs,
    },
  }) as ValidScenario
}

type DependencyFault = Extract<ValidScenario['change']['fault'], { kind: 'dependency-fault' }>

/** The fault with its dependency named and the target's degrade switch for it, when it has one. */
function dependencyFault(fault: DependencyFault, target: ValidTarget): DependencyFault {
  const name = fault.dependency ?? target.dependencies?.[0]?.name
  const dependency = target.dependencies?.find((d) => d.name === name)
  const { degradeSwitch: _fromFile, ...rest } = structuredClone(fault)
  return {
    ...rest,
    ...(name === undefined ? {} : { dependency: name }),
    ...(dependency?.degradeSwitch === undefined ? {} : { degradeSwitch: dependency.degradeSwitch }),
  } as DependencyFault
}
