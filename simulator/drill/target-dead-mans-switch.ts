import { startFlagWatchdog } from './flag-watchdog.ts'
import type { TargetDrillContext } from './target-drill-context.ts'

/**
 * The dead man's switch, before the flag is touched: a watchdog process that turns the flag off (or clears the
 * dependency's fault) if this process dies, journalled as `lease.acquired`.
 */
export async function armDeadMansSwitch(drill: TargetDrillContext): Promise<void> {
  const { options, dependencyDrill } = drill
  const watchdog = await startFlagWatchdog({
    targetFile: drill.target.file,
    runDir: drill.outDir,
    runId: drill.runId,
    env: drill.env,
    ...(options.lease === undefined ? {} : options.lease),
    ...(dependencyDrill === undefined ? {} : { holds: dependencyDrill.holds }),
  })
  drill.watchdog = watchdog
  await drill.journal.append({
    type: 'lease.acquired',
    data: {
      holder: drill.runId,
      prefix: `dead man's switch pid ${watchdog.pid}`,
      ttlMs: options.lease?.ttlMs ?? 5000,
      heartbeatMs: options.lease?.heartbeatMs ?? 1000,
    },
  })
}
