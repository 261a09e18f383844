import { eventsOf, type JournalEvent } from '../../record/journal/journal-event.ts'
import { type CleanupStep, runCleanup } from './drill-cleanup.ts'
import type { DrillOutcome } from './drill-options.ts'
import { checkSteadyState, DrillAborted } from './drill-run-control.ts'
import { untilAborted } from './drill-safety.ts'
import { armDeadMansSwitch } from './target-dead-mans-switch.ts'
import { openTargetDrill } from './target-drill-context.ts'
import type { RunTargetDrillOptions } from './target-drill-options.ts'
import { targetFollowUp } from './target-follow-up.ts'
import { ON_CALL, startTargetPaging } from './target-paging.ts'
import { aimAtDependency, checkUntouched, targetPreflightPhase } from './target-preflight-phase.ts'
import { startTargetWatching } from './target-watch.ts'

/** Who the drill's own flag changes are credited to. */
const RELEASE_ACTOR = 'release-train'
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
  const { target, scenario, loaded, clock, startedAt, flag, responderKind } = drill
  const { runId, outDir, journalFile, journal, say, run, control, dependencyDrill } = drill
  const { stop, enter, signal } = run
  const { background } = drill
  let status: DrillOutcome['status'] = 'not-recovered'
  let loopClosed = false

  try {
    await checkUntouched(drill)
    await armDeadMansSwitch(drill)
    await startTargetPaging(drill)
    await startTargetWatching(drill)
    const paging = drill.paging!
    const recovery = drill.recovery!

    await enter('steady-state-before')
    await steadyState('before')

    // Release: canary steps through the target's flag, until the last step's hold ends or someone is paged.
    await enter('release')
    for (const [i, step] of scenario.release.steps.entries()) {
      if (paging.isPaged()) break
      if (dependencyDrill !== undefined) {
        drill.released ||= step.percent > 0
        await dependencyDrill.release(i + 1, step, runId)
        await Promise.race([clock.sleep(step.holdSeconds * 1000, signal), paging.paged])
        continue
      }
      drill.touched = true
      drill.released ||= step.percent > 0
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
    let restored = !drill.touched
    const steps: CleanupStep[] = [
      {
        name: 'stop the traffic',
        timeoutMs: 6000,
        run: async () => {
          const summary = await drill.traffic?.stop()
          drill.intervals?.stop()
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
          await drill.alerting?.stop()
          await drill.detection?.stop()
        },
      },
      { name: 'let background work settle', timeoutMs: 3000, run: () => Promise.allSettled(background) },
      ...(dependencyDrill?.cleanupSteps(() => abort?.reason ?? 'drill finished') ?? []),
      {
        name: `put ${flag} back to off`,
        timeoutMs: 10_000,
        run: async () => {
          if (!drill.touched) return
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
          await drill.watchdog?.release()
        },
      },
      { name: 'close the pager', timeoutMs: 3000, run: async () => drill.paging?.close() },
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
    return checkSteadyState({
      when,
      scenario,
      clock,
      signal,
      scraper: drill.detection!.scraper,
      journal,
      say,
    })
  }
}

/** Whoever turned the flag off last, by the journal (the responder, or the drill's cleanup). */
function lastFlagOffBy(events: readonly JournalEvent[], flag: string): string {
  const off = eventsOf(events, 'flag.changed').filter((e) => e.data.key === flag && e.data.percent === 0)
  return off.at(-1)?.data.actor ?? 'someone outside the drill'
}
