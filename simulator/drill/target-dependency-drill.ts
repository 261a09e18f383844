import type { Clock } from '../../record/clock/clock.ts'
import { eventsOf, type JournalEvent } from '../../record/journal/journal-event.ts'
import type { ValidScenario } from '../../record/scenario/parse-scenario.ts'
import { describeProxyFault } from '../../record/target/describe-proxy-fault.ts'
import type { LoadedTarget } from '../../record/target/load-target.ts'
import type { ProxyFault } from '../fault-proxy/proxy-fault.ts'
import {
  type DependencyFaultControl,
  dependencyFaultControl,
  findDependency,
} from '../target/dependency-proxy.ts'
import { type TargetFlagControl, targetFlagControl } from '../target/target-flag-control.ts'
import type { CleanupStep } from './drill-cleanup.ts'
import type { DrillJournal } from './drill-journal.ts'
import type { DrillPaging } from './drill-paging.ts'
import { DrillAborted } from './drill-run-control.ts'
import { untilAborted } from './drill-safety.ts'
import type { WatchdogHolds } from './flag-watchdog.ts'
import type { Page } from './pager.ts'
import { dependencyBotResponder } from './responders/dependency-bot-responder.ts'
import type { Responder } from './responders/responder.ts'

/** Who the drill's own fault changes are credited to. */
const RELEASE_ACTOR = 'release-train'
const CLEANUP_ACTOR = 'firedrill-cleanup'
/** A human responder on a team's own service. */
const ON_CALL = 'on-call'
/** How often the drill reads the degrade switch while it waits for the mitigation. */
const POLL_MS = 100
/** Without a degrade switch: how long the drill waits for the page to be acknowledged before it ends the fault. */
const NO_LEVER_WAIT_MS = 30_000

type DependencyFault = Extract<ValidScenario['change']['fault'], { kind: 'dependency-fault' }>

/**
 * The part of a drill on a target that fails one of its dependencies instead of releasing the team's change: the
 * fault set on the proxy in front of the dependency (through the store `firedrill proxy fault` uses) at each
 * step's share of calls, the bot that reads the dependency's health and turns the team's degrade switch on, the
 * wait for that switch (or, with none, the drill ending the fault itself: the team had no lever), and the
 * cleanup that clears the fault before it puts the switch back off. Every change is journalled.
 */
export interface TargetDependencyDrill {
  readonly dependency: string
  readonly degradeSwitch: string | undefined
  /** What the dead man's switch puts back if the drill dies: the proxy's fault, then the degrade switch. */
  readonly holds: WatchdogHolds
  /** Before anything changes: the proxy passes every call on and the degrade switch is off. */
  checkUntouched(): Promise<void>
  responder(ackDelayMs: number): Responder
  /** Faults `step.percent` of the dependency's calls (step counts from 1). */
  release(step: number, plan: { percent: number; holdSeconds: number }, runId: string): Promise<void>
  /** Why the drill ends with nobody paged. */
  noPage(held: boolean, percent: number | undefined): string
  /** After the page: waits for the degrade switch on (or ends the fault when there is none), journalled. */
  respond(options: {
    page: Page
    paging: DrillPaging
    human: boolean
    signal: AbortSignal
    mitigated(): void
  }): Promise<void>
  /** Clears the fault, then puts the degrade switch back off; `restored()` says whether both held. */
  cleanupSteps(reason: () => string): CleanupStep[]
  restored(): boolean
}

export function targetDependencyDrill(options: {
  target: LoadedTarget
  fault: DependencyFault
  seed: number
  env: NodeJS.ProcessEnv
  journal: DrillJournal
  clock: Clock
  say(line: string): void
}): TargetDependencyDrill {
  const { target, fault, journal, clock, say, env } = options
  const dependency = findDependency(target, fault.dependency)
  if (dependency === undefined)
    throw new DrillAborted(
      `the target lists no dependency ${fault.dependency ?? ''} (dependencies): nothing to fail`,
      'error',
    )
  const proxy = dependencyFaultControl(dependency, env)
  const degrade: TargetFlagControl | undefined =
    dependency.degradeSwitch === undefined
      ? undefined
      : targetFlagControl(target, env, dependency.degradeSwitch)
  const drill: DependencyFaultState = {
    name: dependency.name,
    proxy,
    degrade,
    journal,
    clock,
    say,
    faulted: false,
    switched: false,
    faultCleared: true,
    switchOff: true,
  }
  const { name } = drill

  return {
    dependency: name,
    degradeSwitch: degrade?.flag,
    holds: { dependencies: [name], flags: degrade === undefined ? [] : [degrade.flag] },
    checkUntouched: () => checkUntouched(drill),
    responder(ackDelayMs) {
      return dependencyBotResponder({
        dependency: name,
        proxyUrl: proxy.url,
        ...(degrade === undefined ? {} : { degradeSwitch: degrade }),
        ackDelayMs,
        turnedOn: async ({ from, reason, actor }) => {
          drill.switched = true
          drill.switchOff = false
          await journal.append({
            type: 'flag.changed',
            data: { key: degrade!.flag, from, to: 'on', percent: 100, actor, reason },
          })
        },
      })
    },
    release: (step, plan, runId) => release(drill, fault.inject, options.seed, step, plan, runId),
    noPage(held, percent) {
      return held
        ? `no page: ${name}'s proxy faulted ${percent}% of its calls and the steady state held, so the service rode it out with nothing to respond to`
        : `no page: ${name}'s proxy faulted ${percent}% of its calls and the steady state did NOT hold, yet nothing paged: the alerting missed it`
    },
    respond: (how) =>
      degrade === undefined ? endFaultWithoutLever(drill, how) : waitForDegradeSwitch(drill, degrade, how),
    cleanupSteps: (reason) => cleanupSteps(drill, reason),
    restored: () => drill.faultCleared && drill.switchOff,
  }
}

/** What the dependency's part of the drill works with, and what it has changed so far. */
interface DependencyFaultState {
  readonly name: string
  readonly proxy: DependencyFaultControl
  readonly degrade: TargetFlagControl | undefined
  readonly journal: DrillJournal
  readonly clock: Clock
  say(line: string): void
  /** The drill has set a fault on the proxy. */
  faulted: boolean
  /** The bot turned the degrade switch on. */
  switched: boolean
  faultCleared: boolean
  switchOff: boolean
}

type RespondOptions = Parameters<TargetDependencyDrill['respond']>[0]

/** Sets (or, with null, clears) the proxy's fault, journalled as `dependency.fault`. */
async function setFault(
  drill: DependencyFaultState,
  next: ProxyFault | null,
  actor: string,
  reason: string,
): Promise<void> {
  const { proxy, journal, name } = drill
  if (next === null) await proxy.clear(reason, actor)
  else await proxy.set(next, actor, reason)
  await journal.append({
    type: 'dependency.fault',
    data: { dependency: name, proxy: proxy.url, fault: next, actor, reason },
  })
}

/** Before anything changes: the proxy passes every call on and the degrade switch is off, journalled. */
async function checkUntouched(drill: DependencyFaultState): Promise<void> {
  const { proxy, name, degrade } = drill
  const { fault: now } = await proxy.state()
  if (now !== null)
    throw new DrillAborted(
      `${name}'s proxy faults calls already (${describeProxyFault(now)} at ${proxy.key}): clear it (firedrill proxy fault clear --name ${proxy.name}) and run again`,
      'error',
    )
  const evidence: Record<string, unknown> = { dependency: name, proxy: proxy.url, key: proxy.key }
  if (degrade !== undefined) {
    const percent = await degrade.percent()
    if (percent !== 0)
      throw new DrillAborted(
        `the degrade switch ${degrade.flag} serves on to ${percent}% already: the service is degraded before the drill; turn it off and run again`,
        'error',
      )
    evidence.degradeSwitch = { flag: degrade.flag, percent, source: degrade.where }
  }
  await drill.journal.append({ type: 'check.passed', data: { name: 'dependency healthy', evidence } })
}

/** A release step: the fault the scenario injects, on `plan.percent` of the dependency's calls. */
async function release(
  drill: DependencyFaultState,
  inject: DependencyFault['inject'],
  seed: number,
  step: number,
  plan: { percent: number; holdSeconds: number },
  runId: string,
): Promise<void> {
  const { name, proxy } = drill
  const percent = plan.percent
  const next: ProxyFault = {
    ...(inject.latency === undefined ? {} : { latency: { ms: inject.latency.ms, percent } }),
    ...(inject.status === undefined ? {} : { status: { code: inject.status.code, percent } }),
    ...(inject.reset === undefined ? {} : { reset: { percent } }),
    seed: seed % 2 ** 31,
  }
  drill.faulted = true
  drill.faultCleared = false
  await setFault(drill, next, RELEASE_ACTOR, `release step ${step} of the drill ${runId}`)
  await drill.journal.append({
    type: 'release.step',
    data: { dependency: name, step, percent, holdSeconds: plan.holdSeconds },
  })
  drill.say(`release step ${step}: ${name}'s proxy ${describeProxyFault(next)} (${proxy.key})`)
}

/**
 * No lever: the on-call can only wait for the dependency. The drill ends the fault once the page is
 * acknowledged (or after a bounded wait), as the dependency's owners would fix it.
 */
async function endFaultWithoutLever(
  drill: DependencyFaultState,
  { page, paging, signal, mitigated }: RespondOptions,
): Promise<void> {
  const { clock, name } = drill
  const deadline = clock.now() + NO_LEVER_WAIT_MS
  while (!paging.acknowledged() && clock.now() < deadline) await clock.sleep(POLL_MS, signal)
  const reason = `the team has no degrade switch for ${name}: the drill ends the fault`
  await setFault(drill, null, 'firedrill', reason)
  drill.faultCleared = true
  mitigated()
  await drill.journal.append({
    type: 'mitigation.applied',
    data: {
      action: 'dependency fault ended',
      by: 'firedrill',
      reason: `${page.alert} paged; ${reason}`,
    },
  })
  drill.say(`no degrade switch for ${name}: the drill ended the fault`)
}

/** Waits for the degrade switch on, credits whoever turned it on, and journals the mitigation. */
async function waitForDegradeSwitch(
  drill: DependencyFaultState,
  degrade: TargetFlagControl,
  { page, paging, human, signal, mitigated }: RespondOptions,
): Promise<void> {
  const { clock, journal } = drill
  await untilAborted(
    (async () => {
      for (;;) {
        if ((await degrade.percent()) >= 100) return
        await clock.sleep(POLL_MS, signal)
      }
    })(),
    signal,
  )
  drill.switchOff = false
  if (human && !drill.switched) {
    // Turned on with the team's own tools: the drill saw it happen, and credits the engineer on call.
    await journal.append({
      type: 'flag.changed',
      data: {
        key: degrade.flag,
        from: 'off',
        to: 'on',
        percent: 100,
        actor: ON_CALL,
        reason: `turned on outside the drill, seen at ${degrade.where}`,
      },
    })
    await paging.acknowledge(ON_CALL, page.alert)
  }
  mitigated()
  await journal.append({
    type: 'mitigation.applied',
    data: {
      action: 'degrade switch on',
      flag: degrade.flag,
      by: lastTurnedOnBy(journal.events, degrade.flag),
      reason: `${page.alert} paged; ${drill.name} fails`,
    },
  })
  drill.say(`mitigated: degrade switch ${degrade.flag} on`)
}

/** Cleanup's steps: the proxy's fault cleared, then the degrade switch back off. */
function cleanupSteps(drill: DependencyFaultState, reason: () => string): CleanupStep[] {
  const { name, proxy, degrade } = drill
  const clearFault: CleanupStep = {
    name: `clear ${name}'s proxy fault`,
    timeoutMs: 5000,
    run: async () => {
      try {
        if (drill.faulted || (await proxy.state()).fault !== null) {
          await setFault(drill, null, CLEANUP_ACTOR, reason())
          drill.say(`${name}'s proxy passes every call on again`)
        }
        drill.faultCleared = true
      } finally {
        if (degrade === undefined) await proxy.close()
      }
    },
  }
  if (degrade === undefined) return [clearFault]
  return [
    clearFault,
    {
      // Only once the dependency answers again: off while it still failed would fail the service again.
      name: `put ${degrade.flag} back to off`,
      timeoutMs: 10_000,
      run: async () => {
        try {
          if (!drill.faultCleared) throw new Error(`${name}'s proxy fault is not cleared`)
          const from = await degrade.percent()
          if (from !== 0) {
            await degrade.turnOff(reason(), CLEANUP_ACTOR)
            await drill.journal.append({
              type: 'flag.changed',
              data: {
                key: degrade.flag,
                from,
                to: 'off',
                percent: 0,
                actor: CLEANUP_ACTOR,
                reason: reason(),
              },
            })
          }
          drill.switchOff = true
        } finally {
          await proxy.close()
        }
      },
    },
  ]
}

/** Whoever turned the degrade switch on last, by the journal. */
function lastTurnedOnBy(events: readonly JournalEvent[], flag: string): string {
  const on = eventsOf(events, 'flag.changed').filter((e) => e.data.key === flag && e.data.to === 'on')
  return on.at(-1)?.data.actor ?? 'someone outside the drill'
}
