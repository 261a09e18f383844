import type { ReleaseStep } from '../../record/scenario/scenario-schema.ts'
import { OFF } from '../../services/flags/flag-state.ts'
import { PAYMENTS_FAULT_LEASE, RedisFaultModeStore } from '../../services/payments/fault-mode-store.ts'
import { describeFaultMode } from '../../services/payments/provider-status.ts'
import type { DrillContext } from './drill-context.ts'
import { untilAborted } from './drill-safety.ts'
import { releaseStep } from './flag-steps.ts'
import { caughtAtDeploy } from './post-deploy-watch/caught-at-deploy.ts'
import { providerBlip } from './provider-blip.ts'
import { rollingBatch } from './rolling-batch.ts'

/** What the release's steps carry from one to the next. */
interface ReleaseProgress {
  /** Api slots already on the change (a rolling release). */
  rolled: number
  /** A rolling batch whose new instances failed their health check: the deploy put it back, nothing released. */
  rolledBackAtDeploy: boolean
  /** The provider's fault is on. */
  providerFaulted: boolean
}

/**
 * The release phase: canary steps, until the last step's hold ends or someone is paged. Each step is the
 * provider's fault (a dependency's), the next batch of api instances (an unflagged change: rolling, blue-green,
 * instance canary) or the flag on for the step's share. Ends knowing whether there is an incident: when there is,
 * once someone is paged (stop conditions cover a page that never comes).
 */
export async function releasePhase(drill: DrillContext): Promise<void> {
  const { scenario, options, signal } = drill
  const paging = drill.paging!
  const progress: ReleaseProgress = { rolled: 0, rolledBackAtDeploy: false, providerFaulted: false }
  // The facilitator's pause: a paused release clock holds each step before it starts, and its hold.
  const releaseClock = options.releaseClock ?? drill.clock
  const { steps } = scenario.release
  for (const [i, step] of steps.entries()) {
    await options.releaseClock?.sleep(0, signal)
    if (paging.isPaged()) break
    const released =
      drill.providerFault !== undefined
        ? await faultProvider(drill, progress, step, i)
        : drill.flag === undefined
          ? await rollBatch(drill, progress, step, i)
          : await turnFlagOn(drill, drill.flag, step, i)
    if (!released) break
    drill.released ||= step.percent > 0
    if (i === 0) drill.decoys!.start('release')
    if (drill.retryStorm !== undefined && i === steps.length - 1) {
      const { blip } = drill.retryStorm
      drill.track(
        providerBlip({
          blip,
          lease: drill.lease!,
          store: new RedisFaultModeStore(drill.control!, drill.prefix),
          wait: (ms) => Promise.race([releaseClock.sleep(ms, signal), paging.paged]),
          hold: (ms) => drill.clock.sleep(ms, signal),
          paged: () => paging.isPaged(),
          journal: drill.journal,
          say: drill.say,
        }),
      )
    }
    // A post-deploy watch that rolled the change back ends the hold once production is clean again.
    const holdOver = new AbortController()
    try {
      const ended = await Promise.race([
        releaseClock.sleep(step.holdSeconds * 1000, signal),
        paging.paged,
        clearedAfterWatchRollback(drill, holdOver.signal),
      ])
      if (ended === 'cleared') {
        drill.say("production clean again after the post-deploy watch's rollback: the release ends")
        break
      }
    } finally {
      holdOver.abort()
    }
  }

  // A provider's fault the shop rode out by itself: the whole release held without a page.
  const absorbed = drill.providerFault !== undefined && progress.providerFaulted && !paging.isPaged()
  // A post-deploy watch that breached before anybody was paged rolled production back at deploy time.
  const caught = await untilAborted(
    caughtAtDeploy(drill.deployed!.watch, paging.paged, () => drill.journal.events),
    signal,
  )
  if (caught || ((drill.deployed!.refused || progress.rolledBackAtDeploy || absorbed) && !paging.isPaged())) {
    // The gate kept the change out of trunk (or the shop degraded by itself): the same release must cause no
    // incident.
    drill.incident = { page: null, absorbed, caught }
    return
  }
  drill.incident = { page: await untilAborted(paging.paged, signal) }
}

/** A dependency's release step: the provider's fault on from the first step above 0%, under the drill's lease. */
async function faultProvider(
  drill: DrillContext,
  progress: ReleaseProgress,
  step: ReleaseStep,
  i: number,
): Promise<true> {
  const providerFault = drill.providerFault!
  // The provider's fault, under the drill's lease: it lapses with the drill if the drill dies.
  if (step.percent > 0 && !progress.providerFaulted) {
    await drill.lease!.guard(PAYMENTS_FAULT_LEASE, '', null)
    // The responder will turn the degrade switch on: if the drill dies, the shop puts it back off too.
    await drill.lease!.guard('flag', providerFault.degradeSwitch, OFF)
    await new RedisFaultModeStore(drill.control!, drill.prefix).set(providerFault.provider)
    progress.providerFaulted = true
  }
  const provider = step.percent > 0 ? describeFaultMode(providerFault.provider) : undefined
  await drill.journal.append({
    type: 'release.step',
    data: {
      step: i + 1,
      percent: step.percent,
      holdSeconds: step.holdSeconds,
      ...(provider === undefined ? {} : { provider }),
    },
  })
  drill.say(
    provider === undefined
      ? `release step ${i + 1}: the payment provider healthy`
      : `release step ${i + 1}: the payment provider ${provider}`,
  )
  return true
}

/**
 * An unflagged change's release step: the next batch of api slots onto the change's artifact. False when the
 * batch did not go out (nothing to roll, or rolled back at deploy): the release stops there.
 */
async function rollBatch(
  drill: DrillContext,
  progress: ReleaseProgress,
  step: ReleaseStep,
  i: number,
): Promise<boolean> {
  const deployed = drill.deployed!
  const batch = await rollingBatch({
    deployed,
    step,
    index: i,
    rolled: progress.rolled,
    instances: deployed.shop.liveUrls().length,
    journal: drill.journal,
  })
  progress.rolledBackAtDeploy = batch.outcome === 'rolled-back'
  if (batch.outcome !== 'rolled') return false
  progress.rolled = batch.rolled
  // Blue-green and instance-canary routing say their own moves; a rolling batch is said here.
  if (drill.scenario.release.strategy === 'rolling')
    drill.say(
      `release batch ${i + 1}: ${step.percent}% of api instances on ${deployed.artifact.contentHash.slice(0, 12)}`,
    )
  return true
}

/** A flagged change's release step: the flag on for the step's share (under the drill's lease from the first). */
async function turnFlagOn(drill: DrillContext, flag: string, step: ReleaseStep, i: number): Promise<true> {
  if (i === 0) await drill.lease!.guard('flag', flag, OFF)
  await releaseStep({
    flags: drill.flags!,
    flag,
    step: i + 1,
    percent: step.percent,
    holdSeconds: step.holdSeconds,
    journal: drill.journal,
  })
  drill.say(`release step ${i + 1}: ${flag} on for ${step.percent}%`)
  return true
}

/**
 * After the post-deploy watch rolled the deploy back: resolves once the scraped series shows
 * `recovery.consecutiveEvaluations` scrapes in a row, all taken after production was back, with requests and no
 * new failure. The steady state after then starts on production as it is back, not on the tail of the breach (a
 * sample taken before the rollback would count the breach's last failures as its own). Never resolves when the
 * watch did not breach, or once `over` is aborted (the hold ended some other way).
 */
async function clearedAfterWatchRollback(drill: DrillContext, over: AbortSignal): Promise<'cleared'> {
  const never = new Promise<never>(() => {})
  const { clock, scenario } = drill
  const signal = AbortSignal.any([drill.signal, over])
  try {
    if ((await drill.deployed!.watch.outcome()) !== 'breached' || signal.aborted) return never
    const back = clock.now()
    const needed = scenario.recovery.consecutiveEvaluations
    for (;;) {
      await clock.sleep(scenario.detection.scrapeIntervalMs, signal)
      const after = drill.detection!.scraper.series().filter((s) => s.t >= back)
      const recent = after.slice(-(needed + 1))
      if (
        recent.length === needed + 1 &&
        recent.at(-1)!.bad === recent[0]!.bad &&
        recent.at(-1)!.total > recent[0]!.total
      )
        return 'cleared'
    }
  } catch {
    return never
  }
}
