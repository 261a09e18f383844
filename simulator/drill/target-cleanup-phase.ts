import { type CleanupStep, runCleanup } from './drill-cleanup.ts'
import type { TargetDrillContext } from './target-drill-context.ts'
import { journalFlagOff } from './target-respond-phase.ts'

/** Before cleanup, whatever happened: the abort (if any) on disk, and kept as cleanup finds it. */
export async function keepAbort(drill: TargetDrillContext): Promise<void> {
  await drill.run.abortJournalled()
  drill.abort = drill.run.aborted()
}

/**
 * The cleanup phase: put everything back, whatever happened: traffic and detection stopped, the dependency's
 * fault cleared, the flag back to off, the dead man's switch released, the pager closed. Each step is bounded;
 * what could not be done is said, and `cleanup.finished` journals what was.
 */
export async function targetCleanUpPhase(drill: TargetDrillContext): Promise<void> {
  const cleanup = await runCleanup(targetCleanupSteps(drill))
  await drill.journal.append({ type: 'cleanup.finished', data: { ...cleanup } }).catch(() => {})
  for (const failure of cleanup.failed) drill.say(`cleanup could not ${failure.step}: ${failure.error}`)
}

/** Cleanup's steps, in order, each with its bound. */
function targetCleanupSteps(drill: TargetDrillContext): CleanupStep[] {
  const { journal, abort, control, flag, dependencyDrill } = drill
  const reason = () => abort?.reason ?? 'drill finished'
  let restored = !drill.touched
  return [
    { name: 'stop the traffic', timeoutMs: 6000, run: () => stopTraffic(drill) },
    {
      name: 'stop detection',
      timeoutMs: 2000,
      run: async () => {
        await drill.alerting?.stop()
        await drill.detection?.stop()
      },
    },
    { name: 'let background work settle', timeoutMs: 3000, run: () => Promise.allSettled(drill.background) },
    ...(dependencyDrill?.cleanupSteps(reason) ?? []),
    {
      name: `put ${flag} back to off`,
      timeoutMs: 10_000,
      run: async () => {
        if (!drill.touched) return
        if ((await control.percent()) !== 0) {
          await control.turnOff(reason(), 'firedrill-cleanup')
          await journalFlagOff(journal, flag, 'firedrill-cleanup', reason())
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
}

/** Stops the template traffic and its intervals, journalled as `traffic.stopped` (failures: 5xx and no answer). */
async function stopTraffic(drill: TargetDrillContext): Promise<void> {
  const summary = await drill.traffic?.stop()
  drill.intervals?.stop()
  if (summary === undefined) return
  const failures = Object.entries(summary.byStatus)
    .filter(([s]) => !/^[1-4]\d\d$/.test(s))
    .reduce((n, [, count]) => n + count, 0)
  await drill.journal.append({ type: 'traffic.stopped', data: { requests: summary.requests, failures } })
}
