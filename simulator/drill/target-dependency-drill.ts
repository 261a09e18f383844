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
  const name = dependency.name
  const proxy: DependencyFaultControl = dependencyFaultControl(dependency, env)
  const degrade: TargetFlagControl | undefined =
    dependency.degradeSwitch === undefined
      ? undefined
      : targetFlagControl(target, env, dependency.degradeSwitch)
  let faulted = false
  let switched = false
  let faultCleared = true
  let switchOff = true

  const setFault = async (next: ProxyFault | null, actor: string, reason: string) => {
    if (next === null) await proxy.clear(reason, actor)
    else await proxy.set(next, actor, reason)
    await journal.append({
      type: 'dependency.fault',
      data: { dependency: name, proxy: proxy.url, fault: next, actor, reason },
    })
  }

  return {
    dependency: name,
    degradeSwitch: degrade?.flag,
    holds: { dependencies: [name], flags: degrade === undefined ? [] : [degrade.flag] },

    async checkUntouched() {
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
      await journal.append({ type: 'check.passed', data: { name: 'dependency healthy', evidence } })
    },

    responder(ackDelayMs) {
      return dependencyBotResponder({
        dependency: name,
        proxyUrl: proxy.url,
        ...(degrade === undefined ? {} : { degradeSwitch: degrade }),
        ackDelayMs,
        turnedOn: async ({ from, reason, actor }) => {
          switched = true
          switchOff = false
          await journal.append({
            type: 'flag.changed',
            data: { key: degrade!.flag, from, to: 'on', percent: 100, actor, reason },
          })
        },
      })
    },

    async release(step, plan, runId) {
      const { inject } = fault
      const percent = plan.percent
      const next: ProxyFault = {
        ...(inject.latency === undefined ? {} : { latency: { ms: inject.latency.ms, percent } }),
        ...(inject.status === undefined ? {} : { status: { code: inject.status.code, percent } }),
        ...(inject.reset === undefined ? {} : { reset: { percent } }),
        seed: options.seed % 2 ** 31,
      }
      faulted = true
      faultCleared = false
      await setFault(next, RELEASE_ACTOR, `release step ${step} of the drill ${runId}`)
      await journal.append({
        type: 'release.step',
        data: { dependency: name, step, percent, holdSeconds: plan.holdSeconds },
      })
      say(`release step ${step}: ${name}'s proxy ${describeProxyFault(next)} (${proxy.key})`)
    },

    noPage(held, percent) {
      return held
        ? `no page: ${name}'s proxy faulted ${percent}% of its calls and the steady state held, so the service rode it out with nothing to respond to`
        : `no page: ${name}'s proxy faulted ${percent}% of its calls and the steady state did NOT hold, yet nothing paged: the alerting missed it`
    },

    async respond({ page, paging, human, signal, mitigated }) {
      if (degrade === undefined) {
        // No lever: the on-call can only wait for the dependency. The drill ends the fault once the page is
        // acknowledged (or after a bounded wait), as the dependency's owners would fix it.
        const deadline = clock.now() + NO_LEVER_WAIT_MS
        while (!paging.acknowledged() && clock.now() < deadline) await clock.sleep(POLL_MS, signal)
        const reason = `the team has no degrade switch for ${name}: the drill ends the fault`
        await setFault(null, 'firedrill', reason)
        faultCleared = true
        mitigated()
        await journal.append({
          type: 'mitigation.applied',
          data: {
            action: 'dependency fault ended',
            by: 'firedrill',
            reason: `${page.alert} paged; ${reason}`,
          },
        })
        say(`no degrade switch for ${name}: the drill ended the fault`)
        return
      }
      await untilAborted(
        (async () => {
          for (;;) {
            if ((await degrade.percent()) >= 100) return
            await clock.sleep(POLL_MS, signal)
          }
        })(),
        signal,
      )
      switchOff = false
      if (human && !switched) {
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
          reason: `${page.alert} paged; ${name} fails`,
        },
      })
      say(`mitigated: degrade switch ${degrade.flag} on`)
    },

    cleanupSteps(reason) {
      return [
        {
          name: `clear ${name}'s proxy fault`,
          timeoutMs: 5000,
          run: async () => {
            try {
              if (faulted || (await proxy.state()).fault !== null) {
                await setFault(null, CLEANUP_ACTOR, reason())
                say(`${name}'s proxy passes every call on again`)
              }
              faultCleared = true
            } finally {
              if (degrade === undefined) await proxy.close()
            }
          },
        },
        ...(degrade === undefined
          ? []
          : [
              {
                // Only once the dependency answers again: off while it still failed would fail the service again.
                name: `put ${degrade.flag} back to off`,
                timeoutMs: 10_000,
                run: async () => {
                  try {
                    if (!faultCleared) throw new Error(`${name}'s proxy fault is not cleared`)
                    const from = await degrade.percent()
                    if (from !== 0) {
                      await degrade.turnOff(reason(), CLEANUP_ACTOR)
                      await journal.append({
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
                    switchOff = true
                  } finally {
                    await proxy.close()
                  }
                },
              },
            ]),
      ]
    },

    restored: () => faultCleared && switchOff,
  }
}

/** Whoever turned the degrade switch on last, by the journal. */
function lastTurnedOnBy(events: readonly JournalEvent[], flag: string): string {
  const on = eventsOf(events, 'flag.changed').filter((e) => e.data.key === flag && e.data.to === 'on')
  return on.at(-1)?.data.actor ?? 'someone outside the drill'
}
