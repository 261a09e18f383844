import { eventsOf, type JournalEvent } from '../../record/journal/journal-event.ts'
import { parseDuration } from '../../record/scenario/duration.ts'
import { pagerListen } from '../../record/target/pager-listen.ts'
import { createAlertGrouper, formatLabels } from '../detection/alert-grouper.ts'
import { createPromqlScraper } from '../detection/create-promql-scraper.ts'
import { pageDestinationsFromEnv } from '../detection/page-destinations.ts'
import { startPrometheusAlertPoller } from '../detection/prometheus-alert-poller.ts'
import { targetSliNames } from '../detection/rules/target-sli-names.ts'
import { sendWebhook } from '../detection/send-webhook.ts'
import { startTemplateTraffic, type TemplateTrafficRun } from '../traffic/start-template-traffic.ts'
import { type CleanupStep, runCleanup } from './drill-cleanup.ts'
import { createDrillDetection, type DrillDetection } from './drill-detection.ts'
import type { DrillOutcome } from './drill-options.ts'
import { type DrillPaging, startDrillPaging } from './drill-paging.ts'
import { checkSteadyState, DrillAborted, trackRecovery } from './drill-run-control.ts'
import { trippedStopCondition, untilAborted } from './drill-safety.ts'
import { type FlagWatchdog, startFlagWatchdog } from './flag-watchdog.ts'
import { humanResponder } from './responders/human-responder.ts'
import { targetBotResponder } from './responders/target-bot-responder.ts'
import { targetLevers } from './responders/target-levers.ts'
import { openTargetDrill } from './target-drill-context.ts'
import type { RunTargetDrillOptions } from './target-drill-options.ts'
import { targetFollowUp } from './target-follow-up.ts'
import { aimAtDependency, checkUntouched, targetPreflightPhase } from './target-preflight-phase.ts'
import { journalTemplateTraffic } from './template-traffic-intervals.ts'

/** Who the drill's own flag changes are credited to. */
const RELEASE_ACTOR = 'release-train'
/** A human responder on a team's own service: the engineer on call, whoever that is. */
const ON_CALL = 'on-call'
/** How often the drill reads the target's flag while it waits for the mitigation. */
const FLAG_POLL_MS = 100

export type { RunTargetDrillOptions }

/**
 * A drill on a service firedrill did not start: preflight against the live service (nothing changes if a check
 * fails), its traffic, the steady state, the team's dark change released by its flag in canary steps (under a dead
 * man's switch that turns the flag off if the drill dies), detection by firedrill's evaluator or by the team's own
 * alerting through its Alertmanager, the page (journalled, sent on to PagerDuty and webhooks as a drill), the
 * responder (the bot, or the team's engineer on call with the team's own tools) turning the flag off, recovery and the steady state again, and the flag put back whatever happened.
 * Every step is a journal event, so `firedrill report` rebuilds the timings and the postmortem.
 */
export async function runTargetDrill(options: RunTargetDrillOptions): Promise<DrillOutcome> {
  const drill = await openTargetDrill(options)
  // Preflight: nothing has changed yet; a failed check ends the drill here.
  await targetPreflightPhase(drill)
  aimAtDependency(drill)
  const { target, env, scenario, loaded, clock, seed, startedAt, flag, responderKind, detectionSource } =
    drill
  const { runId, outDir, journalFile, journal, say, run, control, dependencyDrill } = drill
  const { stop, enter, signal } = run
  let watchdog: FlagWatchdog | undefined
  let paging: DrillPaging | undefined
  let detection: DrillDetection | undefined
  let traffic: TemplateTrafficRun | undefined
  const { background, track } = drill
  let status: DrillOutcome['status'] = 'not-recovered'
  let loopClosed = false
  let touched = false
  const template = target.target.traffic
  let released = false
  let intervals: { stop(): void } | undefined
  let stopAlerting: () => Promise<void> = async () => {}

  try {
    await checkUntouched(drill)
    // The dead man's switch, before the flag is touched: if this process dies, the flag still goes back off.
    watchdog = await startFlagWatchdog({
      targetFile: target.file,
      runDir: outDir,
      runId,
      env,
      ...(options.lease === undefined ? {} : options.lease),
      ...(dependencyDrill === undefined ? {} : { holds: dependencyDrill.holds }),
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

    const listen = detectionSource.kind === 'alertmanager' ? pagerListen(detectionSource.listen) : undefined
    try {
      paging = await startDrillPaging({
        responder:
          responderKind === 'human'
            ? humanResponder({ ...options.human, name: ON_CALL, levers: () => targetLevers(target) })
            : (dependencyDrill?.responder(scenario.responder.ackDelaySeconds * 1000) ??
              targetBotResponder({
                control,
                ackDelayMs: scenario.responder.ackDelaySeconds * 1000,
                events: journal.events,
                turnedOff: (data) => journal.append({ type: 'flag.changed', data }),
              })),
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
      throw new DrillAborted(
        `the pager could not listen on ${detectionSource.kind === 'alertmanager' ? detectionSource.listen : 'loopback'} (detection.listen): ${(err as Error).message}`,
        'error',
      )
    }
    if (detectionSource.kind === 'alertmanager')
      say(`pager listening at ${paging.url}: the team's Alertmanager webhook receiver posts there`)

    const recovery = trackRecovery({ scenario, journal, track })
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
      onEvaluated: (at, short) => {
        recovery.observe(at, short)
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
      intervals = journalTemplateTraffic({
        run: traffic,
        clock,
        journal,
        track,
        released: () => released,
        route: template.request.path,
      })
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
      if (dependencyDrill !== undefined) {
        released ||= step.percent > 0
        await dependencyDrill.release(i + 1, step, runId)
        await Promise.race([clock.sleep(step.holdSeconds * 1000, signal), paging.paged])
        continue
      }
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
      say(
        `release step ${i + 1}: ${flag} on for ${applied.percent}% (${control.where})${control.percentages ? '' : ': the flip command takes no {percent}, so any step is all or nothing'}`,
      )
      await Promise.race([clock.sleep(step.holdSeconds * 1000, signal), paging.paged])
    }

    if (!paging.isPaged()) {
      // The whole release held with nobody paged: either the change is sound, or the SLO burned unseen. The
      // steady state with the flag on for everyone tells which; the drill then ends, the flag put back.
      await enter('steady-state-after')
      const held = await steadyState('after')
      const last = scenario.release.steps.at(-1)?.percent
      if (!paging.isPaged())
        throw new DrillAborted(
          dependencyDrill?.noPage(held, last) ??
            (held
              ? `no page: ${flag} reached ${last}% of traffic and the steady state held, so there was no incident to respond to`
              : `no page: ${flag} reached ${last}% of traffic and the steady state did NOT hold, yet nothing paged: the alerting missed it`),
          'no-page',
        )
    }
    // Respond: wait for the page (stop conditions cover a page that never comes), then for the flag to go off.
    const page = await untilAborted(paging.paged, signal)
    await enter('respond')
    if (dependencyDrill !== undefined)
      await dependencyDrill.respond({
        page,
        paging,
        human: responderKind === 'human',
        signal,
        mitigated: () => recovery.mitigated(),
      })
    else {
      for (;;) {
        if ((await control.percent()) === 0) break
        await clock.sleep(FLAG_POLL_MS, signal)
      }
      if (responderKind === 'human') {
        // Turned off with the team's own tools: the drill saw it happen, and credits the engineer on call. Without a
        // terminal to acknowledge in, the acknowledgement is taken at the mitigation.
        await journal.append({
          type: 'flag.changed',
          data: {
            key: flag,
            from: 'on',
            to: 'off',
            percent: 0,
            actor: ON_CALL,
            reason: `turned off outside the drill, seen at ${control.where}`,
          },
        })
        await paging.acknowledge(ON_CALL, page.alert)
      }
      recovery.mitigated()
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
    }

    await enter('recover')
    await untilAborted(recovery.recovered, signal)
    say('recovered')
    await enter('steady-state-after')
    status = (await steadyState('after')) ? 'recovered' : 'not-recovered'
  } catch (err) {
    if (err instanceof DrillAborted) stop(err.reason, err.condition)
    else if (run.aborted() === undefined) stop(`drill failed: ${(err as Error).message}`, 'error')
  } finally {
    await run.abortJournalled()
    const abort = run.aborted()
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
      ...(dependencyDrill?.cleanupSteps(() => abort?.reason ?? 'drill finished') ?? []),
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
          if (!restored || dependencyDrill?.restored() === false)
            throw new Error('left running, so it puts back what cleanup could not')
          await watchdog?.release()
        },
      },
      { name: 'close the pager', timeoutMs: 3000, run: async () => paging?.close() },
    ]
    const cleanup = await runCleanup(steps)
    await journal.append({ type: 'cleanup.finished', data: { ...cleanup } }).catch(() => {})
    for (const failure of cleanup.failed) say(`cleanup could not ${failure.step}: ${failure.error}`)
    // The loop on the team's repository, after the flag is back: or the journal says why it was not run.
    if (abort === undefined)
      loopClosed = await targetFollowUp({
        ...options.loop,
        target,
        loaded,
        status,
        runId,
        journal,
        outDir,
        clock,
        say,
        enter,
      })
    run.dispose()
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
    loopClosed,
    flagClosedOut: false,
    ...(run.aborted() === undefined ? {} : { abortReason: run.aborted()!.reason }),
  }

  function steadyState(when: 'before' | 'after'): Promise<boolean> {
    return checkSteadyState({ when, scenario, clock, signal, scraper: detection!.scraper, journal, say })
  }
}

/** Whoever turned the flag off last, by the journal (the responder, or the drill's cleanup). */
function lastFlagOffBy(events: readonly JournalEvent[], flag: string): string {
  const off = eventsOf(events, 'flag.changed').filter((e) => e.data.key === flag && e.data.percent === 0)
  return off.at(-1)?.data.actor ?? 'someone outside the drill'
}
