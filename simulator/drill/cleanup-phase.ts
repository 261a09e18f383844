import { join } from 'node:path'
import { allowRemoval } from '../../gate/build/artifact-permissions.ts'
import { closeConnection } from '../../services/platform/redis/redis-connection.ts'
import { type CleanupStep, runCleanup } from './drill-cleanup.ts'
import type { DrillContext } from './drill-context.ts'
import { restoreSafety } from './drill-safety.ts'
import { requestSequenceDigest } from './drill-traffic.ts'
import { removeKeys, unregisterRun } from './run-keys.ts'

/**
 * The cleanup phase: put everything back, whatever happened: traffic stopped, flag safe, faults cleared, shop
 * closed. Each step is bounded, so a Redis that went away cannot hang the drill; what could not be done is said,
 * and `cleanup.finished` journals what was.
 */
export async function cleanUpPhase(drill: DrillContext): Promise<void> {
  const { journal, say } = drill
  const state: { restored: boolean; keysRemoved?: number } = { restored: false }
  const cleanup = await runCleanup(cleanupSteps(drill, state))
  drill.cleanup = cleanup
  drill.lease?.abandon()
  drill.keeper?.stop()
  await closeConnection(drill.control)
  const { keysRemoved } = state
  await journal
    .append({
      type: 'cleanup.finished',
      data: { ...cleanup, ...(keysRemoved === undefined ? {} : { keysRemoved }) },
    })
    .catch(() => {})
  for (const failure of cleanup.failed) say(`cleanup could not ${failure.step}: ${failure.error}`)
}

/** Cleanup's steps, in order, each with its bound. */
function cleanupSteps(
  drill: DrillContext,
  state: { restored: boolean; keysRemoved?: number },
): CleanupStep[] {
  const { journal, abort, traffic } = drill
  // With Redis gone, what needs it fails at once, and the rest must not wait on it: shorter bounds.
  const redisGone = abort?.condition === 'redis-unavailable'
  const bound = (ms: number) => (redisGone ? Math.min(ms, 1500) : ms)
  // The change's flag, or a dependency's degrade switch: back to off either way.
  const safeFlag = drill.flag ?? drill.providerFault?.degradeSwitch
  return [
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
    { name: 'stop detection', timeoutMs: bound(2000), run: async () => drill.detection?.stop() },
    {
      name: 'let background work settle',
      timeoutMs: bound(3000),
      run: () => Promise.allSettled(drill.background),
    },
    {
      name:
        safeFlag === undefined
          ? 'clear payment faults'
          : `put ${safeFlag} back to off and clear payment faults`,
      timeoutMs: bound(4000),
      run: async () => {
        await drill.queueControl?.putBack(abort?.reason ?? 'drill finished')
        await restoreSafety(drill.options.redisUrl, drill.prefix, safeFlag, abort?.reason ?? 'drill finished')
        state.restored = true
      },
    },
    {
      // Only once everything is back: a lease left to lapse makes the shop put things back by itself.
      name: 'end the lease',
      timeoutMs: bound(2000),
      run: async () => {
        if (!state.restored) throw new Error('left to lapse, so the shop puts back what cleanup could not')
        await drill.lease?.end()
      },
    },
    { name: 'close the pager', timeoutMs: bound(2000), run: async () => drill.paging?.close() },
    { name: 'close the deploys API', timeoutMs: bound(2000), run: async () => drill.deploysApi?.close() },
    {
      name: 'stop the shop',
      timeoutMs: redisGone ? 3000 : 8000,
      run: async () => drill.deployed?.shop.close(),
    },
    {
      name: 'make the run directory removable',
      timeoutMs: bound(5000),
      run: () => allowRemoval(join(drill.outDir, 'artifacts')),
    },
    {
      name: "remove the run's Redis keys",
      timeoutMs: bound(5000),
      run: async () => {
        drill.keeper?.stop()
        state.keysRemoved = await removeKeys(drill.control!, drill.ownedPrefixes)
        await unregisterRun(drill.control!, drill.runId)
      },
    },
  ]
}
