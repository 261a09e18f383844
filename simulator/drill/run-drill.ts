import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { allowRemoval } from '../../gate/build/artifact-permissions.ts'
import { type Clock, systemClock } from '../../record/clock/clock.ts'
import type { NewJournalEvent } from '../../record/journal/journal-event.ts'
import { shopServiceOf } from '../../record/scenario/shop-service.ts'
import { isFlagOff, OFF } from '../../services/flags/flag-state.ts'
import { FlagsHttpClient } from '../../services/flags/flags-http-client.ts'
import { LeaseHolder } from '../../services/leases/index.ts'
import { type FaultMode, NO_FAULT } from '../../services/payments/fault-mode.ts'
import { PAYMENTS_FAULT_LEASE, RedisFaultModeStore } from '../../services/payments/fault-mode-store.ts'
import { PAYMENTS_CAPACITY_LEASE, RedisProviderCapacity } from '../../services/payments/provider-capacity.ts'
import { describeFaultMode } from '../../services/payments/provider-status.ts'
import {
  closeConnection,
  createRedisConnection,
  isRedisUnavailable,
} from '../../services/platform/redis/redis-connection.ts'
import { pageDestinationsFromEnv } from '../detection/page-destinations.ts'
import type { TrafficRun } from '../traffic/start-traffic.ts'
import { type Decoys, scheduleDecoys } from './decoys.ts'
import { deferredOrders } from './deferred-orders.ts'
import { type DeployedShop, deployShop } from './deploy-shop.ts'
import { DeploysHttpClient, startDeploysApi } from './deploys-api.ts'
import { type CleanupStep, runCleanup } from './drill-cleanup.ts'
import { createDrillDetection, type DrillDetection } from './drill-detection.ts'
import { DrillNotReadyError } from './drill-errors.ts'
import type { DrillOutcome, PlanReview, RunDrillOptions } from './drill-options.ts'
import { type DrillPaging, startDrillPaging } from './drill-paging.ts'
import { describePlan } from './drill-plan.ts'
import { checkSteadyState, createDrillRunControl, DrillAborted, trackRecovery } from './drill-run-control.ts'
import { restoreSafety, trippedStopCondition, untilAborted } from './drill-safety.ts'
import { requestSequenceDigest, startDrillTraffic } from './drill-traffic.ts'
import { observeMitigation, releaseStep } from './flag-steps.ts'
import { followUp } from './follow-up.ts'
import { type FulfilmentQueueControls, fulfilmentQueueControls } from './fulfilment-queue-control.ts'
import { openRun, readRepeatedRun } from './open-run.ts'
import { caughtAtDeploy } from './post-deploy-watch/caught-at-deploy.ts'
import { runPreflight } from './preflight.ts'
import { type ProviderStatusPage, startProviderStatusPage } from './provider-status-page.ts'
import { queuePauseMitigation } from './queue-pause-mitigation.ts'
import { botResponder } from './responders/bot-responder.ts'
import { humanResponder } from './responders/human-responder.ts'
import { rollingBatch } from './rolling-batch.ts'
import { type KeyKeeper, registerRun, removeKeys, startKeyKeeper, unregisterRun } from './run-keys.ts'
import { thisProcess } from './run-process.ts'
import { servedArtifacts } from './served-artifacts.ts'

/**
 * The provider's blip in a retry-storm release: `afterSeconds` into the last step, its fault mode for `seconds`,
 * then healthy again (under the drill's lease throughout). Skipped when someone is paged first; once started, it
 * always ends.
 */
async function providerBlip(options: {
  blip: { provider: FaultMode; afterSeconds: number; seconds: number }
  lease: LeaseHolder
  store: RedisFaultModeStore
  wait: (ms: number) => Promise<unknown>
  /** Holds the blip for its length (rejects when the drill is aborted; the blip ends either way). */
  hold: (ms: number) => Promise<void>
  paged: () => boolean
  journal: { append(event: NewJournalEvent): Promise<unknown> }
  say: (line: string) => void
}): Promise<void> {
  const { blip, store, journal, say } = options
  await options.wait(blip.afterSeconds * 1000)
  if (options.paged()) return
  await options.lease.guard(PAYMENTS_FAULT_LEASE, '', null)
  await store.set(blip.provider)
  const during = describeFaultMode(blip.provider)
  await journal.append({
    type: 'provider.changed',
    data: { mode: blip.provider.mode, provider: during, why: `a blip of ${blip.seconds} s` },
  })
  say(`the payment provider ${during} (a blip of ${blip.seconds} s)`)
  try {
    await options.hold(blip.seconds * 1000)
  } finally {
    await store.set(NO_FAULT)
    await journal.append({
      type: 'provider.changed',
      data: { mode: NO_FAULT.mode, provider: describeFaultMode(NO_FAULT), why: 'the blip is over' },
    })
    say('the payment provider answers normally again: the blip is over')
  }
}

/** The drill's lease on what it changes in the shop: renewed every second, lapses 5 s after the drill dies. */
const LEASE = { ttlMs: 5000, heartbeatMs: 1000, lostAfterMs: 3000 } as const

/**
 * One whole drill: preflight, deploy the bad change dark, steady state, release in canary steps, detect with
 * burn-rate alerts, page, respond, recover, steady state again, and put everything back. Every step is a journal
 * event; every phase starts only when the previous phase's exit check holds. Stop conditions (error budget,
 * duration, Ctrl-C) abort the drill and put everything back the same way.
 */
export async function runDrill(options: RunDrillOptions): Promise<DrillOutcome> {
  const { loaded } = options
  const { scenario } = loaded
  const service = shopServiceOf(loaded.name, scenario)
  const clock: Clock = options.clock ?? systemClock
  const seed = options.seed ?? scenario.seed
  const responderKind = options.responder ?? scenario.responder.kind
  const startedAt = clock.now()
  const pageDestinations = options.pageDestinations ?? pageDestinationsFromEnv(process.env)
  const repeated = options.again === undefined ? undefined : await readRepeatedRun(options.again)
  const { runId, outDir, journalFile, journal } = await openRun(loaded, clock, startedAt, options.outDir)
  const prefix = `drill-${runId}`
  options.onOpened?.({ runId, outDir, journal, prefix })
  const flag = scenario.change.flag
  // A dependency's fault: no change of ours; the provider's fault is the release, the degrade switch the way out.
  const providerFault = scenario.change.fault.kind === 'provider-degraded' ? scenario.change.fault : undefined
  // A change whose retries meet the provider's capacity: the capacity from the start, a blip in the last step.
  const retryStorm =
    scenario.change.fault.kind === 'charges-retried-at-once' ? scenario.change.fault : undefined
  const token = randomBytes(24).toString('base64url')
  const seconds = () => ((clock.now() - startedAt) / 1000).toFixed(1).padStart(6)
  const say = (line: string) => options.progress?.(`[${seconds()}s] ${line}`)

  const run = createDrillRunControl({
    journal,
    say,
    signal: options.signal,
    interrupted: 'interrupted (Ctrl-C or SIGTERM)',
    // A failure that comes down to Redis being unreachable is said as such, whichever part noticed it first.
    classify: (why, given) =>
      given === 'error' && isRedisUnavailable(new Error(why))
        ? { reason: `redis unavailable: ${why}`, condition: 'redis-unavailable' }
        : { reason: why, condition: given },
  })
  const { stop, enter, signal } = run

  const exitCheck = async (name: string, ok: boolean, evidence: Record<string, unknown>) => {
    if (ok) {
      await journal.append({ type: 'check.passed', data: { name, evidence } })
      return
    }
    await journal.append({ type: 'check.failed', data: { name, evidence, message: `${name} did not hold` } })
    throw new DrillAborted(`exit check failed: ${name}`, 'error')
  }

  await journal.append({
    type: 'drill.started',
    data: {
      runId,
      scenario: loaded.name,
      title: scenario.title,
      seed,
      timeScale: scenario.timeScale,
      slo: { objective: scenario.slo.objective, window: scenario.slo.window },
      ...(flag === undefined ? {} : { flag }),
      strategy: scenario.release.strategy,
      responder: options.respondWith?.kind ?? responderKind,
      ...(repeated === undefined ? {} : { againOf: { runId: repeated.runId, dir: repeated.dir } }),
      process: thisProcess(),
    },
  })

  // Preflight: nothing has changed yet; a failed check ends the drill here.
  await enter('preflight')
  const checks = await runPreflight(loaded, options.redisUrl)
  for (const c of checks) {
    await journal.append(
      c.ok
        ? { type: 'check.passed', data: { name: c.name, evidence: c.evidence } }
        : {
            type: 'check.failed',
            data: { name: c.name, evidence: c.evidence, message: c.message ?? 'failed' },
          },
    )
  }
  const failed = checks.filter((c) => !c.ok)
  if (failed.length > 0) {
    await journal.append({ type: 'drill.aborted', data: { reason: 'preflight failed', condition: 'error' } })
    await journal.close()
    run.dispose()
    throw new DrillNotReadyError(failed.map((c) => ({ name: c.name, message: c.message ?? 'failed' })))
  }
  // The human review gate: nothing changes until the plan and preflight are approved.
  if (options.review !== undefined) {
    const refused = await reviewPlan(options.review)
    if (refused !== null) {
      // An abort while waiting is journalled already; a refusal is journalled here.
      if (run.aborted() === undefined)
        await journal.append({ type: 'drill.aborted', data: { reason: refused, condition: 'signal' } })
      else await run.abortJournalled()
      await journal.close()
      run.dispose()
      const abortReason = run.aborted()?.reason ?? refused
      return {
        runId,
        outDir,
        journal: journalFile,
        status: 'aborted',
        loopClosed: false,
        flagClosedOut: false,
        abortReason,
      }
    }
  }

  let deployed: DeployedShop | undefined
  let paging: DrillPaging | undefined
  let traffic: TrafficRun | undefined
  let detection: DrillDetection | undefined
  let decoys: Decoys | undefined
  let deploysApi: { url: string; close(): Promise<void> } | undefined
  let queueControl: FulfilmentQueueControls | undefined
  let providerPage: ProviderStatusPage | undefined
  const background: Promise<unknown>[] = []
  const track = (task: Promise<unknown>) => {
    background.push(
      task.catch((err: unknown) => stop(`drill machinery failed: ${(err as Error).message}`, 'error')),
    )
  }
  let status: DrillOutcome['status'] = 'not-recovered'
  let loopClosed = false
  let flagClosedOut = false
  // The drill's own line to Redis: its lease, and the keys it owns.
  const control = createRedisConnection(options.redisUrl, 'command')
  const ownedPrefixes = [prefix, `${prefix}-staging`]
  let lease: LeaseHolder | undefined
  let keeper: KeyKeeper | undefined

  try {
    lease = await LeaseHolder.acquire({
      redis: control,
      prefix,
      holder: runId,
      label: `run ${runId} (pid ${process.pid})`,
      ...LEASE,
      onLost: (reason) =>
        stop(
          reason.startsWith('redis unavailable') ? reason : `lease lost: ${reason}`,
          reason.startsWith('redis unavailable') ? 'redis-unavailable' : 'lease-lost',
        ),
    })
    await registerRun(control, {
      runId,
      prefixes: ownedPrefixes,
      leasePrefix: prefix,
      holder: runId,
      startedAt: new Date(startedAt).toISOString(),
    })
    keeper = startKeyKeeper(control, ownedPrefixes)
    await journal.append({
      type: 'lease.acquired',
      data: { holder: runId, prefix, ttlMs: LEASE.ttlMs, heartbeatMs: LEASE.heartbeatMs },
    })

    // Deploy: the bad change travels as a commit to trunk and runs dark (its flag off).
    await enter('deploy')
    deployed = await deployShop({
      loaded,
      runDir: outDir,
      shop: {
        redisUrl: options.redisUrl,
        prefix,
        apiInstances: service.api,
        workers: service.workers,
        flagsToken: token,
        flagsResyncIntervalMs: 1000,
        ...(options.shopLogger === undefined ? {} : { logger: options.shopLogger }),
      },
      record: (event) => journal.append(event),
      say,
      startedAt,
      clock,
      signal,
      ...(repeated === undefined
        ? {}
        : {
            baseRepo: join(repeated.dir, 'sandbox'),
            baseProductionCommit: repeated.productionCommit,
            baseBadCommit: repeated.badCommit,
          }),
    })
    const shop = deployed.shop
    // Production's deploy controls, over HTTP as a person reaches them, with the drill's token.
    queueControl = fulfilmentQueueControls({ redisUrl: options.redisUrl, prefix, lease, journal, clock, say })
    deploysApi = await startDeploysApi({ controls: deployed.deploys, token, queue: queueControl })
    const flags = new FlagsHttpClient({ baseUrl: shop.flagsUrl, token, actor: 'release-train' })
    const health = await Promise.all(
      [...shop.apiUrls, shop.flagsUrl].map(async (url) => ({
        url,
        status: (await fetch(`${url}/readyz`)).status,
      })),
    )
    await exitCheck(
      'service healthy',
      health.every((h) => h.status === 200),
      { instances: health },
    )
    if (providerFault !== undefined) {
      const mode = await new RedisFaultModeStore(control, prefix).get()
      await exitCheck('payment provider healthy', mode.mode === 'none', { provider: mode })
    } else if (flag === undefined) {
      // An unflagged change is released by deploying it: production must still run what it ran before.
      const serving = await servedArtifacts(shop.liveUrls())
      await exitCheck(
        'change not yet in production',
        serving.every((hash) => hash === deployed?.base.contentHash),
        { strategy: scenario.release.strategy, expected: deployed.base.contentHash, serving },
      )
    } else {
      const initial = (await flags.list()).flags.find((f) => f.key === flag)
      await exitCheck('change is dark', initial !== undefined && isFlagOff(initial), {
        flag,
        serving: initial?.summary ?? 'missing',
      })
    }
    if (retryStorm !== undefined) {
      // The provider's capacity holds from before the steady state, so the steady state shows traffic under it;
      // under the drill's lease, so it lapses with the drill if the drill dies.
      const mode = await new RedisFaultModeStore(control, prefix).get()
      await lease.guard(PAYMENTS_CAPACITY_LEASE, '', null)
      await new RedisProviderCapacity(control, prefix).set(retryStorm.capacityPerSecond)
      await exitCheck('payment provider healthy', mode.mode === 'none', {
        provider: mode,
        capacityPerSecond: retryStorm.capacityPerSecond,
      })
    }

    // The payment provider's public status page, as anyone (a bot or a person) can read it.
    const statusPage = startProviderStatusPage({ store: new RedisFaultModeStore(control, prefix), clock })
    providerPage = statusPage
    paging = await startDrillPaging({
      responder:
        options.respondWith ??
        (responderKind === 'human'
          ? humanResponder(options.human)
          : botResponder(scenario.responder.ackDelaySeconds * 1000)),
      journal,
      flagsUrl: shop.flagsUrl,
      token,
      deploys: {
        url: deploysApi.url,
        client: new DeploysHttpClient({ baseUrl: deploysApi.url, token }),
      },
      provider: () => statusPage.read(),
      clock,
      signal,
      track,
      say,
      runId,
      scenario: loaded.name,
      pageSeverities: scenario.detection.pageSeverities,
      destinations: pageDestinations,
    })

    // Decoys: harmless flag changes by other people, after the release starts or after the page.
    decoys = scheduleDecoys({ decoys: scenario.decoys, flags, journal, clock, say, track })
    const startPageDecoys = decoys.start
    // Not tracked: a drill that is never paged must not wait on it at cleanup.
    paging.paged.then(
      () => startPageDecoys('page'),
      () => {},
    )

    // Recovery is judged on the paging rule's short window, once the flag is off: every SLO burning under 1×.
    const recovery = trackRecovery({ scenario, journal, track })
    const { recovered } = recovery
    const onEvaluated = (at: number, short: { errorRatio: number | null; burnRate: number | null }) => {
      recovery.observe(at, short)
      checkStopConditions()
    }
    const checkStopConditions = () => {
      const tripped = trippedStopCondition(journal.events, scenario, clock.now() - startedAt)
      if (tripped !== null) stop(tripped.reason, tripped.condition)
    }

    // Detection runs from the first request: the services' own metrics, scraped like a team's Prometheus.
    detection = createDrillDetection({
      scenario,
      clock,
      targets: [...shop.apiUrls, ...shop.workerMetricsUrls],
      journal,
      runId,
      pagerUrl: paging.url,
      externalURL: options.consoleUrl ?? shop.flagsUrl,
      track,
      say,
      onEvaluated,
    })
    let released = false
    traffic = startDrillTraffic({
      scenario,
      seed,
      clock,
      targets: shop.apiUrls,
      live: shop.liveUrls,
      journal,
      track,
      released: () => released,
    })
    await journal.append({
      type: 'traffic.started',
      data: { ratePerSecond: scenario.traffic.ratePerSecond, seed },
    })
    detection.start()

    const live = setInterval(() => {
      const ratio = detection?.lastShortRatio() ?? null
      const shown = ratio === null ? 'no data' : `${(ratio * 100).toFixed(1)}%`
      say(`${run.phase()}: error ratio (${detection?.pageRule.name} short window) ${shown}`)
    }, 2000)
    live.unref()

    try {
      // Steady state before: the hypothesis must hold before anything is released.
      await enter('steady-state-before')
      await steadyState('before')

      // Release: canary steps through the flag, until the last step's hold ends or someone is paged.
      await enter('release')
      let rolled = 0
      // A rolling batch whose new instances failed their health check: the deploy put it back, nothing released.
      let rolledBackAtDeploy = false
      let providerFaulted = false
      // The facilitator's pause: a paused release clock holds each step before it starts, and its hold.
      const releaseClock = options.releaseClock ?? clock
      for (const [i, step] of scenario.release.steps.entries()) {
        await options.releaseClock?.sleep(0, signal)
        if (paging.isPaged()) break
        if (providerFault !== undefined) {
          // The provider's fault, under the drill's lease: it lapses with the drill if the drill dies.
          if (step.percent > 0 && !providerFaulted) {
            await lease.guard(PAYMENTS_FAULT_LEASE, '', null)
            // The responder will turn the degrade switch on: if the drill dies, the shop puts it back off too.
            await lease.guard('flag', providerFault.degradeSwitch, OFF)
            await new RedisFaultModeStore(control, prefix).set(providerFault.provider)
            providerFaulted = true
          }
          const provider = step.percent > 0 ? describeFaultMode(providerFault.provider) : undefined
          await journal.append({
            type: 'release.step',
            data: {
              step: i + 1,
              percent: step.percent,
              holdSeconds: step.holdSeconds,
              ...(provider === undefined ? {} : { provider }),
            },
          })
          say(
            provider === undefined
              ? `release step ${i + 1}: the payment provider healthy`
              : `release step ${i + 1}: the payment provider ${provider}`,
          )
        } else if (flag === undefined) {
          // A rolling release: the next batch of api slots onto the change's artifact, no flag.
          const batch = await rollingBatch({
            deployed,
            step,
            index: i,
            rolled,
            instances: shop.liveUrls().length,
            journal,
          })
          rolledBackAtDeploy = batch.outcome === 'rolled-back'
          if (batch.outcome !== 'rolled') break
          rolled = batch.rolled
          // Blue-green and instance-canary routing say their own moves; a rolling batch is said here.
          if (scenario.release.strategy === 'rolling')
            say(
              `release batch ${i + 1}: ${step.percent}% of api instances on ${deployed.artifact.contentHash.slice(0, 12)}`,
            )
        } else {
          if (i === 0) await lease.guard('flag', flag, OFF)
          await releaseStep({
            flags,
            flag,
            step: i + 1,
            percent: step.percent,
            holdSeconds: step.holdSeconds,
            journal,
          })
          say(`release step ${i + 1}: ${flag} on for ${step.percent}%`)
        }
        released ||= step.percent > 0
        if (i === 0) decoys.start('release')
        if (retryStorm !== undefined && i === scenario.release.steps.length - 1) {
          const { blip } = retryStorm
          const activeLease = lease
          track(
            providerBlip({
              blip,
              lease: activeLease,
              store: new RedisFaultModeStore(control, prefix),
              wait: (ms) => Promise.race([releaseClock.sleep(ms, signal), paging!.paged]),
              hold: (ms) => clock.sleep(ms, signal),
              paged: () => paging?.isPaged() ?? false,
              journal,
              say,
            }),
          )
        }
        await Promise.race([releaseClock.sleep(step.holdSeconds * 1000, signal), paging.paged])
      }

      // A provider's fault the shop rode out by itself: the whole release held without a page.
      const absorbed = providerFault !== undefined && providerFaulted && !paging.isPaged()
      // A post-deploy watch that breached before anybody was paged rolled production back at deploy time.
      const caught = await untilAborted(
        caughtAtDeploy(deployed.watch, paging.paged, () => journal.events),
        signal,
      )
      if (caught || ((deployed.refused || rolledBackAtDeploy || absorbed) && !paging.isPaged())) {
        // The gate kept the change out of trunk (or the shop degraded by itself): the same release must cause no
        // incident.
        await enter('steady-state-after')
        status = (await steadyState('after')) ? 'prevented' : 'not-recovered'
        say(
          status !== 'prevented'
            ? 'the steady state did not hold'
            : absorbed
              ? 'no incident: the shop degraded by itself while the provider failed, and nobody was paged'
              : caught
                ? 'no incident: the post-deploy watch rolled the deploy back'
                : 'no incident: the change was stopped before production',
        )
      } else {
        // Respond: wait for the page (stop conditions cover a page that never comes), then for the flag to go off.
        const page = await untilAborted(paging.paged, signal)
        await enter('respond')
        const mitigation = await observeMitigation({
          flags,
          flag,
          ...(providerFault === undefined
            ? {}
            : {
                degradeSwitch: {
                  flag: providerFault.degradeSwitch,
                  deferrals: () => deferredOrders(shop.workerMetricsUrls),
                },
              }),
          rollback: { deploys: deployed.deploys, urls: shop.liveUrls, to: deployed.base },
          ...queuePauseMitigation(scenario, queueControl),
          alert: page.alert,
          paging,
          journal,
          clock,
          signal,
        })
        recovery.mitigated()
        say(
          `mitigated: ${
            mitigation.action === 'rollback'
              ? 'production rolled back'
              : mitigation.action === 'queue paused'
                ? 'the fulfilment queue paused'
                : mitigation.action === 'degrade switch on'
                  ? `${providerFault?.degradeSwitch} on`
                  : `${flag} off`
          } (by ${mitigation.by})`,
        )

        // Recover: the short window's error ratio stays under the SLO's budget for N evaluations in a row.
        await enter('recover')
        await untilAborted(recovered, signal)
        say('recovered')

        await enter('steady-state-after')
        status = (await steadyState('after')) ? 'recovered' : 'not-recovered'
      }
    } finally {
      clearInterval(live)
    }
  } catch (err) {
    // An exit check or steady state that fails aborts the drill like a stop condition; anything else is a
    // failure of the drill's own machinery, which aborts it too (and says so).
    if (err instanceof DrillAborted) stop(err.reason, err.condition)
    else stop(`drill failed: ${(err as Error).message}`, 'error')
  } finally {
    // Put everything back, whatever happened: traffic stopped, flag safe, faults cleared, shop closed. Each
    // step is bounded, so a Redis that went away cannot hang the drill; what could not be done is said.
    await run.abortJournalled()
    const abort = run.aborted()
    decoys?.cancel()
    providerPage?.stop()
    await enter('cleanup').catch(() => {})
    let restored = false
    let keysRemoved: number | undefined
    // With Redis gone, what needs it fails at once, and the rest must not wait on it: shorter bounds.
    const redisGone = abort?.condition === 'redis-unavailable'
    const bound = (ms: number) => (redisGone ? Math.min(ms, 1500) : ms)
    // The change's flag, or a dependency's degrade switch: back to off either way.
    const safeFlag = flag ?? providerFault?.degradeSwitch
    const steps: CleanupStep[] = [
      {
        name: 'stop the traffic',
        timeoutMs: bound(5000),
        run: async () => {
          const summary = await traffic?.stop()
          if (summary === undefined || traffic === undefined) return
          await journal.append({
            type: 'traffic.stopped',
            data: {
              requests: summary.requests,
              failures: summary.failures,
              sequence: requestSequenceDigest(traffic.requests()),
            },
          })
        },
      },
      { name: 'stop detection', timeoutMs: bound(2000), run: async () => detection?.stop() },
      {
        name: 'let background work settle',
        timeoutMs: bound(3000),
        run: () => Promise.allSettled(background),
      },
      {
        name:
          safeFlag === undefined
            ? 'clear payment faults'
            : `put ${safeFlag} back to off and clear payment faults`,
        timeoutMs: bound(4000),
        run: async () => {
          await queueControl?.putBack(abort?.reason ?? 'drill finished')
          await restoreSafety(options.redisUrl, prefix, safeFlag, abort?.reason ?? 'drill finished')
          restored = true
        },
      },
      {
        // Only once everything is back: a lease left to lapse makes the shop put things back by itself.
        name: 'end the lease',
        timeoutMs: bound(2000),
        run: async () => {
          if (!restored) throw new Error('left to lapse, so the shop puts back what cleanup could not')
          await lease?.end()
        },
      },
      { name: 'close the pager', timeoutMs: bound(2000), run: async () => paging?.close() },
      { name: 'close the deploys API', timeoutMs: bound(2000), run: async () => deploysApi?.close() },
      { name: 'stop the shop', timeoutMs: redisGone ? 3000 : 8000, run: async () => deployed?.shop.close() },
      {
        name: 'make the run directory removable',
        timeoutMs: bound(5000),
        run: () => allowRemoval(join(outDir, 'artifacts')),
      },
      {
        name: "remove the run's Redis keys",
        timeoutMs: bound(5000),
        run: async () => {
          keeper?.stop()
          keysRemoved = await removeKeys(control, ownedPrefixes)
          await unregisterRun(control, runId)
        },
      },
    ]
    const cleanup = await runCleanup(steps)
    lease?.abandon()
    keeper?.stop()
    await closeConnection(control)
    await journal
      .append({
        type: 'cleanup.finished',
        data: { ...cleanup, ...(keysRemoved === undefined ? {} : { keysRemoved }) },
      })
      .catch(() => {})
    for (const failure of cleanup.failed) say(`cleanup could not ${failure.step}: ${failure.error}`)
    // The loop follows an incident, and a near miss the scenario has a fix for (the change done right).
    // A provider's fault the shop rode out the first time has no incident to follow up.
    const nearMissFix =
      status === 'prevented' &&
      repeated === undefined &&
      providerFault === undefined &&
      loaded.files['followUp.fix'] !== undefined
    if (
      abort === undefined &&
      (status === 'recovered' || nearMissFix) &&
      deployed !== undefined &&
      options.followUp !== false
    ) {
      await enter('follow-up')
      const after = await followUp({
        loaded,
        repo: deployed.repo,
        journal,
        outDir,
        redisUrl: options.redisUrl,
        clock,
        say,
      })
      loopClosed = after.loopClosed
      flagClosedOut = after.flagClosedOut
    }
    run.dispose()
    if (abort !== undefined) {
      status = 'aborted'
      say(
        `ABORTED: ${abort.reason}; ${cleanup.failed.length === 0 ? 'flags back to safe values, faults cleared, traffic stopped' : 'cleanup did what it could (see above)'}`,
      )
    } else {
      await journal.append({
        type: 'drill.finished',
        data: {
          outcome: status,
          durationMs: clock.now() - startedAt,
        },
      })
    }
    await journal.close()
  }

  return {
    runId,
    outDir,
    journal: journalFile,
    status,
    loopClosed,
    flagClosedOut,
    ...(run.aborted() === undefined ? {} : { abortReason: run.aborted()!.reason }),
  }

  /** Asks for the review and journals it; the refusal's reason, or null when approved. */
  async function reviewPlan(review: NonNullable<RunDrillOptions['review']>): Promise<string | null> {
    say('waiting for the plan and preflight to be approved')
    let verdict: PlanReview
    try {
      verdict = await untilAborted(
        review(
          { text: describePlan(loaded, checks, options.respondWith?.kind ?? responderKind), checks },
          signal,
        ),
        signal,
      )
    } catch {
      return run.aborted()?.reason ?? 'the plan was not reviewed'
    }
    const reason = verdict.reason?.trim()
    await journal.append({
      type: 'plan.reviewed',
      data: { by: verdict.by, approved: verdict.approved, ...(reason ? { reason } : {}) },
    })
    if (verdict.approved) {
      say(`plan approved by ${verdict.by}`)
      return null
    }
    return `plan refused by ${verdict.by}: ${reason || 'no reason given'}`
  }

  function steadyState(when: 'before' | 'after'): Promise<boolean> {
    return checkSteadyState({ when, scenario, clock, signal, scraper: detection!.scraper, journal, say })
  }
}
