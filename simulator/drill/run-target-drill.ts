import { cp, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { type Clock, systemClock } from '../../record/clock/clock.ts'
import {
  type AbortCondition,
  type DrillPhase,
  eventsOf,
  type JournalEvent,
  type JournalEventData,
} from '../../record/journal/journal-event.ts'
import { parseDuration } from '../../record/scenario/duration.ts'
import type { LoadedScenario } from '../../record/scenario/load-scenario.ts'
import type { LoadedTarget } from '../../record/target/load-target.ts'
import { ruleWindowsMs, scenarioForTarget } from '../../record/target/scenario-for-target.ts'
import { createAlertGrouper, formatLabels } from '../detection/alert-grouper.ts'
import { createPromqlScraper } from '../detection/create-promql-scraper.ts'
import { type PageDestinations, pageDestinationsFromEnv } from '../detection/page-destinations.ts'
import { startPrometheusAlertPoller } from '../detection/prometheus-alert-poller.ts'
import { createRecoveryWatch } from '../detection/recovery-watch.ts'
import { targetSliNames } from '../detection/rules/target-sli-names.ts'
import { scenarioSlos } from '../detection/scenario-detection.ts'
import { sendWebhook } from '../detection/send-webhook.ts'
import { runTargetPreflight } from '../target/target-preflight.ts'
import { startTemplateTraffic, type TemplateTrafficRun } from '../traffic/start-template-traffic.ts'
import { type CleanupStep, runCleanup } from './drill-cleanup.ts'
import { createDrillDetection, type DrillDetection } from './drill-detection.ts'
import { DrillNotReadyError } from './drill-errors.ts'
import type { DrillOutcome } from './drill-options.ts'
import { type DrillPaging, startDrillPaging } from './drill-paging.ts'
import { trippedStopCondition, untilAborted } from './drill-safety.ts'
import { type FlagWatchdog, startFlagWatchdog } from './flag-watchdog.ts'
import { openRun } from './open-run.ts'
import type { Page } from './pager.ts'
import { diagnose } from './responders/diagnose.ts'
import type { Responder } from './responders/responder.ts'
import { thisProcess } from './run-process.ts'
import { sliceSeries, steadyStateOf } from './steady-state.ts'
import { type TargetFlagControl, targetFlagControl } from './target-flag-control.ts'

/** Who the drill's own flag changes are credited to. */
const RELEASE_ACTOR = 'release-train'
/** How often the drill reads the target's flag while it waits for the mitigation. */
const FLAG_POLL_MS = 100

export interface RunTargetDrillOptions {
  target: LoadedTarget
  /** A target's scenario (`service.kind: target`): the SLOs, rules, canary steps, stop conditions. */
  loaded: LoadedScenario
  clock?: Clock
  seed?: number
  outDir?: string
  signal?: AbortSignal
  progress?(line: string): void
  /** Tokens for the flag source, and the page destinations. @defaultValue process.env */
  env?: NodeJS.ProcessEnv
  pageDestinations?: PageDestinations
  /** The dead man's switch on the target's flag. @defaultValue TTL 5 s, heartbeat 1 s */
  lease?: { ttlMs: number; heartbeatMs: number }
}

class TargetDrillAborted extends Error {
  constructor(
    readonly reason: string,
    readonly condition: AbortCondition,
  ) {
    super(reason)
  }
}

/**
 * A drill on a service firedrill did not start: preflight against the live service (nothing changes if a check
 * fails), its traffic, the steady state, the team's dark change released by its flag in canary steps (under a dead
 * man's switch that turns the flag off if the drill dies), detection by firedrill's evaluator or by the team's own
 * alerting through its Alertmanager, the page (journalled, sent on to PagerDuty and webhooks as a drill), the
 * responder turning the flag off, recovery and the steady state again, and the flag put back whatever happened.
 * Every step is a journal event, so `firedrill report` rebuilds the timings and the postmortem.
 */
export async function runTargetDrill(options: RunTargetDrillOptions): Promise<DrillOutcome> {
  const { target } = options
  const env = options.env ?? process.env
  const scenario = scenarioForTarget(options.loaded.scenario, target.target)
  const loaded: LoadedScenario = { ...options.loaded, scenario }
  const clock = options.clock ?? systemClock
  const seed = options.seed ?? scenario.seed
  const startedAt = clock.now()
  const flag = target.target.flags.flag
  const detectionSource = target.target.detection ?? { kind: 'firedrill' as const }
  const { runId, outDir, journalFile, journal } = await openRun(loaded, clock, startedAt, options.outDir)
  await mkdir(join(outDir, 'target'), { recursive: true })
  await cp(target.file, join(outDir, 'target', 'target.yaml'))
  const seconds = () => ((clock.now() - startedAt) / 1000).toFixed(1).padStart(6)
  const say = (line: string) => options.progress?.(`[${seconds()}s] ${line}`)

  const controller = new AbortController()
  let abort: TargetDrillAborted | undefined
  let abortJournalled: Promise<unknown> = Promise.resolve()
  const stop = (reason: string, condition: AbortCondition) => {
    if (abort !== undefined) return
    abort = new TargetDrillAborted(reason, condition)
    abortJournalled = journal.append({ type: 'drill.aborted', data: { reason, condition } }).catch(() => {})
    say(`ABORTING: ${reason}`)
    controller.abort(abort)
  }
  const onSignal = () => stop('interrupted (Ctrl-C, SIGTERM or a closed terminal)', 'signal')
  if (options.signal?.aborted) onSignal()
  options.signal?.addEventListener('abort', onSignal, { once: true })
  const signal = controller.signal

  let phase: DrillPhase = 'preflight'
  const enter = async (next: DrillPhase) => {
    phase = next
    await journal.append({ type: 'phase.entered', data: { phase } })
    say(phase)
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
      flag,
      strategy: 'flag-canary',
      responder: 'bot',
      process: thisProcess(),
      target: { name: target.target.name, file: target.file },
      detector: detectionSource.kind,
    },
  })

  // Preflight: nothing has changed yet; a failed check ends the drill here.
  await enter('preflight')
  const checks = await runTargetPreflight(target, {
    env,
    windowsMs: ruleWindowsMs(scenario),
    slos: scenarioSlos(scenario, targetSliNames(target.target)).map((s) => ({
      name: s.name,
      sli: s.sli.kind,
    })),
  })
  for (const c of checks)
    await journal.append(
      c.ok
        ? { type: 'check.passed', data: { name: c.name, evidence: { detail: c.detail } } }
        : { type: 'check.failed', data: { name: c.name, evidence: {}, message: c.detail } },
    )
  const failed = checks.filter((c) => !c.ok)
  if (failed.length > 0) {
    await journal.append({ type: 'drill.aborted', data: { reason: 'preflight failed', condition: 'error' } })
    await journal.close()
    options.signal?.removeEventListener('abort', onSignal)
    throw new DrillNotReadyError(failed.map((c) => ({ name: c.name, message: c.detail })))
  }

  const control = targetFlagControl(target, env)
  let watchdog: FlagWatchdog | undefined
  let paging: DrillPaging | undefined
  let detection: DrillDetection | undefined
  let traffic: TemplateTrafficRun | undefined
  const background: Promise<unknown>[] = []
  const track = (task: Promise<unknown>) => {
    background.push(
      task.catch((err: unknown) => stop(`drill machinery failed: ${(err as Error).message}`, 'error')),
    )
  }
  let status: DrillOutcome['status'] = 'not-recovered'
  let touched = false
  const template = target.target.traffic
  let released = false
  let intervals: { stop(): void } | undefined
  let stopAlerting: () => Promise<void> = async () => {}

  /**
   * The traffic's outcome each second as `traffic.interval` (the impact and the error budget are summed from
   * them), and the first failure after the release as `request.first-failure`.
   */
  function journalIntervals(run: TemplateTrafficRun): { stop(): void } {
    let last = { at: clock.now(), requests: 0, byStatus: {} as Record<string, number> }
    let index = 0
    let firstFailureLogged = false
    const tick = () => {
      const now = clock.now()
      const { requests, byStatus } = run.summary()
      const delta: Record<string, number> = {}
      for (const [status, count] of Object.entries(byStatus)) {
        const added = count - (last.byStatus[status] ?? 0)
        if (added > 0) delta[status] = added
      }
      const dropped = delta.dropped ?? 0
      const failures = Object.entries(delta)
        .filter(([status]) => status !== 'dropped' && !/^[1-4]\d\d$/.test(status))
        .reduce((n, [, count]) => n + count, 0)
      track(
        journal.append({
          type: 'traffic.interval',
          data: {
            index: index++,
            from: new Date(last.at).toISOString(),
            to: new Date(now).toISOString(),
            requests: requests - last.requests - dropped,
            failures,
            dropped,
            byStatus: delta,
            latencyP50Ms: null,
            latencyP99Ms: null,
          },
        }),
      )
      last = { at: now, requests, byStatus: { ...byStatus } }
      if (firstFailureLogged || failures === 0 || !released) return
      firstFailureLogged = true
      const status = Object.keys(delta).find((s) => s !== 'dropped' && !/^[1-4]\d\d$/.test(s)) ?? 'unknown'
      track(
        journal.append({
          type: 'request.first-failure',
          data: { status, route: template?.kind === 'template' ? template.request.path : '' },
        }),
      )
    }
    const timer = setInterval(tick, 1000)
    return {
      stop() {
        clearInterval(timer)
        tick()
      },
    }
  }

  try {
    const initial = await control.percent()
    if (initial !== 0)
      throw new TargetDrillAborted(
        `${flag} serves on to ${initial}% already: the change is not dark; turn it off and run again`,
        'error',
      )
    await journal.append({
      type: 'check.passed',
      data: { name: 'change is dark', evidence: { flag, percent: initial, source: control.where } },
    })
    // The dead man's switch, before the flag is touched: if this process dies, the flag still goes back off.
    watchdog = await startFlagWatchdog({
      targetFile: target.file,
      runDir: outDir,
      runId,
      env,
      ...(options.lease === undefined ? {} : options.lease),
    })
    await journal.append({
      type: 'lease.acquired',
      data: {
        holder: runId,
        prefix: `dead man's switch pid ${watchdog.pid}`,
        ttlMs: options.lease?.ttlMs ?? 5000,
        heartbeatMs: options.lease?.heartbeatMs ?? 1000,
      },
    })

    const listen =
      detectionSource.kind === 'alertmanager'
        ? {
            host:
              detectionSource.listen.split(':')[0] === 'localhost'
                ? '127.0.0.1'
                : detectionSource.listen.split(':')[0]!,
            port: Number(detectionSource.listen.split(':')[1]),
          }
        : undefined
    try {
      paging = await startDrillPaging({
        responder: targetBot({
          control,
          ackDelayMs: scenario.responder.ackDelaySeconds * 1000,
          events: journal.events,
          turnedOff: (data) => journal.append({ type: 'flag.changed', data }),
        }),
        journal,
        flagsUrl: target.target.flags.source.kind === 'firedrill' ? target.target.flags.source.url : '',
        token: '',
        clock,
        signal,
        track,
        say,
        runId,
        scenario: loaded.name,
        pageSeverities:
          detectionSource.kind !== 'firedrill'
            ? detectionSource.pageSeverities
            : scenario.detection.pageSeverities,
        destinations: options.pageDestinations ?? pageDestinationsFromEnv(env),
        ...(listen === undefined ? {} : { listen }),
      })
    } catch (err) {
      throw new TargetDrillAborted(
        `the pager could not listen on ${detectionSource.kind === 'alertmanager' ? detectionSource.listen : 'loopback'} (detection.listen): ${(err as Error).message}`,
        'error',
      )
    }
    if (detectionSource.kind === 'alertmanager')
      say(`pager listening at ${paging.url}: the team's Alertmanager webhook receiver posts there`)

    let mitigated = false
    const recovery = createRecoveryWatch({
      threshold: 1,
      consecutive: scenario.recovery.consecutiveEvaluations,
    })
    let resolveRecovered: () => void = () => {}
    const recovered = new Promise<void>((r) => {
      resolveRecovered = r
    })
    const slis = target.target.slis
    const names = targetSliNames(target.target)
    detection = createDrillDetection({
      scenario,
      clock,
      targets: slis.kind === 'metrics' ? target.instances.map((base) => `${base}${slis.path}`) : [],
      journal,
      runId,
      pagerUrl: paging.url,
      externalURL: target.instances[0]!,
      track,
      say,
      ...(names === undefined ? {} : { names }),
      alerting: detectionSource.kind === 'firedrill',
      // SLIs in PromQL: the team's Prometheus is queried instead of the instances scraped.
      ...(slis.kind === 'prometheus'
        ? {
            scraper: ({ intervalMs, clock: c, slos, onScrape }) =>
              createPromqlScraper({
                url: slis.url,
                errors: slis.errors,
                total: slis.total,
                intervalMs,
                clock: c,
                slo: slos[0]!,
                onScrape,
              }),
          }
        : {}),
      onEvaluated: (_at, short) => {
        if (mitigated && !recovery.state().recovered) {
          const state = recovery.observe(short.burnRate, clock.now())
          if (state.recovered)
            track(
              journal
                .append({
                  type: 'recovery.confirmed',
                  data: { errorRatio: short.errorRatio ?? 0, consecutiveEvaluations: state.streak },
                })
                .then(() => resolveRecovered()),
            )
        }
        const tripped = trippedStopCondition(journal.events, scenario, clock.now() - startedAt)
        if (tripped !== null) stop(tripped.reason, tripped.condition)
      },
    })
    if (template?.kind === 'template') {
      traffic = startTemplateTraffic({
        targets: target.instances,
        ratePerSecond: template.ratePerSecond,
        request: template.request,
        seed,
        timeoutMs: 5000,
        clock,
      })
      await journal.append({ type: 'traffic.started', data: { ratePerSecond: template.ratePerSecond, seed } })
      intervals = journalIntervals(traffic)
    }
    detection.start()
    if (detectionSource.kind === 'prometheus') {
      // The team's Prometheus alerts, read as its Alertmanager would get them, grouped as the scenario says.
      const { grouping } = detection.settings
      const grouper = createAlertGrouper({
        clock,
        groupBy: grouping.groupBy,
        groupWaitMs: grouping.groupWaitMs,
        groupIntervalMs: grouping.groupIntervalMs,
        repeatIntervalMs: grouping.repeatIntervalMs,
        route: `{}/${formatLabels({ drill_run: runId })}`,
        receiver: 'firedrill-pager',
        externalURL: detectionSource.url,
        send: (notification) => sendWebhook(paging!.url, notification),
        onError: (err) => track(Promise.reject(err)),
      })
      const poller = startPrometheusAlertPoller({
        url: detectionSource.url,
        intervalMs: parseDuration(detectionSource.pollInterval),
        since: startedAt,
        clock,
        grouper,
        onError: (err) => say(`could not read ${detectionSource.url}'s alerts: ${(err as Error).message}`),
      })
      stopAlerting = async () => {
        await poller.stop()
        await grouper.stop()
      }
    }

    await enter('steady-state-before')
    await steadyState('before')

    // Release: canary steps through the target's flag, until the last step's hold ends or someone is paged.
    await enter('release')
    for (const [i, step] of scenario.release.steps.entries()) {
      if (paging.isPaged()) break
      touched = true
      released ||= step.percent > 0
      const from = await control.percent().catch(() => null)
      const applied = await control.release(
        step.percent,
        `release step ${i + 1} of the drill ${runId}`,
        RELEASE_ACTOR,
      )
      await journal.append({
        type: 'flag.changed',
        data: {
          key: flag,
          from,
          to: applied.percent === 0 ? 'off' : 'on',
          percent: applied.percent,
          actor: RELEASE_ACTOR,
          reason: `release step ${i + 1}`,
        },
      })
      await journal.append({
        type: 'release.step',
        data: { flag, step: i + 1, percent: applied.percent, holdSeconds: step.holdSeconds },
      })
      say(`release step ${i + 1}: ${flag} on for ${applied.percent}% (${control.where})`)
      await Promise.race([clock.sleep(step.holdSeconds * 1000, signal), paging.paged])
    }

    if (!paging.isPaged()) {
      // The whole release held with nobody paged: either the change is sound, or the SLO burned unseen. The
      // steady state with the flag on for everyone tells which; the drill then ends, the flag put back.
      await enter('steady-state-after')
      const held = await steadyState('after')
      if (!paging.isPaged())
        throw new TargetDrillAborted(
          held
            ? `no page: ${flag} reached ${scenario.release.steps.at(-1)?.percent}% of traffic and the steady state held, so there was no incident to respond to`
            : `no page: ${flag} reached ${scenario.release.steps.at(-1)?.percent}% of traffic and the steady state did NOT hold, yet nothing paged: the alerting missed it`,
          'no-page',
        )
    }
    // Respond: wait for the page (stop conditions cover a page that never comes), then for the flag to go off.
    const page = await untilAborted(paging.paged, signal)
    await enter('respond')
    for (;;) {
      if ((await control.percent()) === 0) break
      await clock.sleep(FLAG_POLL_MS, signal)
    }
    mitigated = true
    await journal.append({
      type: 'mitigation.applied',
      data: {
        action: 'flag off',
        flag,
        by: lastFlagOffBy(journal.events, flag),
        reason: `${page.alert} paged`,
      },
    })
    say(`mitigated: ${flag} off`)

    await enter('recover')
    await untilAborted(recovered, signal)
    say('recovered')
    await enter('steady-state-after')
    status = (await steadyState('after')) ? 'recovered' : 'not-recovered'
  } catch (err) {
    if (err instanceof TargetDrillAborted) stop(err.reason, err.condition)
    else if (abort === undefined) stop(`drill failed: ${(err as Error).message}`, 'error')
  } finally {
    await abortJournalled
    await enter('cleanup').catch(() => {})
    let restored = !touched
    const steps: CleanupStep[] = [
      {
        name: 'stop the traffic',
        timeoutMs: 6000,
        run: async () => {
          const summary = await traffic?.stop()
          intervals?.stop()
          if (summary === undefined) return
          const failures = Object.entries(summary.byStatus)
            .filter(([s]) => !/^[1-4]\d\d$/.test(s))
            .reduce((n, [, count]) => n + count, 0)
          await journal.append({ type: 'traffic.stopped', data: { requests: summary.requests, failures } })
        },
      },
      {
        name: 'stop detection',
        timeoutMs: 2000,
        run: async () => {
          await stopAlerting()
          await detection?.stop()
        },
      },
      { name: 'let background work settle', timeoutMs: 3000, run: () => Promise.allSettled(background) },
      {
        name: `put ${flag} back to off`,
        timeoutMs: 10_000,
        run: async () => {
          if (!touched) return
          if ((await control.percent()) !== 0) {
            const reason = abort?.reason ?? 'drill finished'
            await control.turnOff(reason, 'firedrill-cleanup')
            await journal.append({
              type: 'flag.changed',
              data: { key: flag, from: 'on', to: 'off', percent: 0, actor: 'firedrill-cleanup', reason },
            })
          }
          restored = true
        },
      },
      {
        // Only once the flag is back: a watchdog left running turns it off by itself.
        name: "release the dead man's switch",
        timeoutMs: 3000,
        run: async () => {
          if (!restored) throw new Error('left running, so it turns the flag off when cleanup could not')
          await watchdog?.release()
        },
      },
      { name: 'close the pager', timeoutMs: 3000, run: async () => paging?.close() },
    ]
    const cleanup = await runCleanup(steps)
    await journal.append({ type: 'cleanup.finished', data: { ...cleanup } }).catch(() => {})
    for (const failure of cleanup.failed) say(`cleanup could not ${failure.step}: ${failure.error}`)
    options.signal?.removeEventListener('abort', onSignal)
    if (abort !== undefined) {
      status = 'aborted'
      say(`ABORTED: ${abort.reason}`)
    } else {
      await journal.append({
        type: 'drill.finished',
        data: { outcome: status, durationMs: clock.now() - startedAt },
      })
    }
    await journal.close()
  }
  return {
    runId,
    outDir,
    journal: journalFile,
    status,
    loopClosed: false,
    flagClosedOut: false,
    ...(abort === undefined ? {} : { abortReason: abort.reason }),
  }

  async function steadyState(when: 'before' | 'after'): Promise<boolean> {
    const from = clock.now()
    await clock.sleep(scenario.steadyState.durationSeconds * 1000, signal)
    await detection!.scraper.scrapeOnce()
    const { requests, failures } = sliceSeries(detection!.scraper.series(), from, clock.now())
    const result = steadyStateOf(requests, failures, scenario.steadyState)
    await journal.append({ type: 'steady-state.checked', data: { when, ...result } })
    say(
      `steady state ${when}: ${result.ok ? 'holds' : 'does NOT hold'} (${failures}/${requests} failed, limit ${(scenario.steadyState.maxErrorRatio * 100).toFixed(2)}%)`,
    )
    if (!result.ok && when === 'before')
      throw new TargetDrillAborted('the steady state did not hold before the release', 'error')
    return result.ok
  }
}

/** Whoever turned the flag off last, by the journal (the responder, or the drill's cleanup). */
function lastFlagOffBy(events: readonly JournalEvent[], flag: string): string {
  const off = eventsOf(events, 'flag.changed').filter((e) => e.data.key === flag && e.data.percent === 0)
  return off.at(-1)?.data.actor ?? 'someone outside the drill'
}

/**
 * The on-call bot on a target: acknowledges after its delay, reads what the on-call engineer can see (the page,
 * and the flag changes the release made, as the team's flag history shows them), follows the same playbook as on
 * the shop, journals its diagnosis, and turns the suspect flag off through the target's own flag source.
 */
function targetBot(options: {
  control: TargetFlagControl
  ackDelayMs: number
  events: readonly JournalEvent[]
  turnedOff(change: JournalEventData['flag.changed']): Promise<unknown>
}): Responder {
  const name = 'responder-bot'
  const { control } = options
  return {
    kind: 'bot',
    name,
    async respond(page: Page, context) {
      await context.clock.sleep(options.ackDelayMs, context.signal)
      await context.acknowledge(name)
      const serving = (percent: number) =>
        percent === 0 ? 'off' : percent >= 100 ? 'on' : `on for ${percent}%`
      let before = 0
      const history = eventsOf(options.events, 'flag.changed').map((e) => {
        const entry = {
          revision: e.seq,
          at: e.at,
          flag: e.data.key,
          actor: e.data.actor,
          from: serving(before),
          to: serving(e.data.percent),
        }
        before = e.data.percent
        return entry
      })
      const diagnosis = diagnose(page, history)
      await context.diagnosed(name, diagnosis)
      if (diagnosis.action.kind !== 'flag-off') {
        context.say(`${name}: ${diagnosis.hypothesis}; escalating, nothing turned off`)
        return
      }
      const reason = `${page.alert} paged: ${diagnosis.hypothesis}; turning it off`
      context.say(`${name}: turning off ${control.flag} (${diagnosis.hypothesis})`)
      const from = await control.percent().catch(() => null)
      await control.turnOff(reason, name)
      await options.turnedOff({ key: control.flag, from, to: 'off', percent: 0, actor: name, reason })
    },
  }
}
