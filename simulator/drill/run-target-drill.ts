import { type CleanupStep, runCleanup } from './drill-cleanup.ts'
import type { DrillOutcome } from './drill-options.ts'
import { DrillAborted } from './drill-run-control.ts'
import { recoverPhase } from './respond-phase.ts'
import { steadyStateBefore } from './steady-state-phases.ts'
import { armDeadMansSwitch } from './target-dead-mans-switch.ts'
import { openTargetDrill } from './target-drill-context.ts'
import type { RunTargetDrillOptions } from './target-drill-options.ts'
import { targetFollowUp } from './target-follow-up.ts'
import { startTargetPaging } from './target-paging.ts'
import { aimAtDependency, checkUntouched, targetPreflightPhase } from './target-preflight-phase.ts'
import { notPaged, targetReleasePhase, waitForPage } from './target-release-phase.ts'
import { targetRespondPhase } from './target-respond-phase.ts'
import { steadyStateWithoutPage, targetSteadyStateAfter } from './target-steady-state-phases.ts'
import { startTargetWatching } from './target-watch.ts'

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
  const { target, loaded, clock, startedAt, flag } = drill
  const { runId, outDir, journalFile, journal, say, run, control, dependencyDrill } = drill
  const { stop, enter } = run
  const { background } = drill
  let status: DrillOutcome['status'] = 'not-recovered'
  let loopClosed = false

  try {
    await checkUntouched(drill)
    await armDeadMansSwitch(drill)
    await startTargetPaging(drill)
    await startTargetWatching(drill)
    await enter('steady-state-before')
    await steadyStateBefore(drill)
    await enter('release')
    await targetReleasePhase(drill)
    if (notPaged(drill)) {
      await enter('steady-state-after')
      await steadyStateWithoutPage(drill)
    }
    await waitForPage(drill)
    await enter('respond')
    await targetRespondPhase(drill)
    await enter('recover')
    await recoverPhase(drill)
    await enter('steady-state-after')
    await targetSteadyStateAfter(drill)
  } catch (err) {
    if (err instanceof DrillAborted) stop(err.reason, err.condition)
    else if (run.aborted() === undefined) stop(`drill failed: ${(err as Error).message}`, 'error')
  } finally {
    status = drill.status
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
}
