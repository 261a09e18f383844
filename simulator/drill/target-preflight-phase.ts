import { ruleWindowsMs } from '../../record/target/scenario-for-target.ts'
import { targetSliNames } from '../detection/rules/target-sli-names.ts'
import { scenarioSlos } from '../detection/scenario-detection.ts'
import { runTargetPreflight } from '../target/target-preflight.ts'
import { DrillNotReadyError } from './drill-errors.ts'
import { journalCheck } from './drill-phases.ts'
import { DrillAborted } from './drill-run-control.ts'
import { targetDependencyDrill } from './target-dependency-drill.ts'
import type { TargetDrillContext } from './target-drill-context.ts'

/**
 * The preflight phase against the live service: nothing has changed yet. Every check is journalled; a failed one
 * ends the drill here (`DrillNotReadyError`).
 */
export async function targetPreflightPhase(drill: TargetDrillContext): Promise<void> {
  const { journal, run, target, scenario } = drill
  await run.enter('preflight')
  const checks = await runTargetPreflight(target, {
    env: drill.env,
    windowsMs: ruleWindowsMs(scenario),
    slos: scenarioSlos(scenario, targetSliNames(target.target)).map((s) => ({
      name: s.name,
      sli: s.sli.kind,
    })),
  })
  for (const c of checks)
    await journalCheck(journal, {
      name: c.name,
      ok: c.ok,
      evidence: c.ok ? { detail: c.detail } : {},
      message: c.detail,
    })
  const failed = checks.filter((c) => !c.ok)
  if (failed.length > 0) {
    await journal.append({ type: 'drill.aborted', data: { reason: 'preflight failed', condition: 'error' } })
    await journal.close()
    run.dispose()
    throw new DrillNotReadyError(failed.map((c) => ({ name: c.name, message: c.detail })))
  }
}

/**
 * A dependency's fault instead of the team's change: the proxy in front of it is what the drill changes. Throws
 * when the target lists no such dependency.
 */
export function aimAtDependency(drill: TargetDrillContext): void {
  const { fault } = drill.scenario.change
  if (fault.kind !== 'dependency-fault') return
  const { target, seed, env, journal, clock, say } = drill
  drill.dependencyDrill = targetDependencyDrill({ target, fault, seed, env, journal, clock, say })
}

/**
 * The rest of preflight, once the drill runs: the change is dark (the flag serves it to nobody), or the
 * dependency is healthy (its proxy passes every call on, the degrade switch is off). Journalled as a check.
 */
export async function checkUntouched(drill: TargetDrillContext): Promise<void> {
  const { dependencyDrill, control, flag } = drill
  if (dependencyDrill !== undefined) {
    await dependencyDrill.checkUntouched()
    return
  }
  const initial = await control.percent()
  if (initial !== 0)
    throw new DrillAborted(
      `${flag} serves on to ${initial}% already: the change is not dark; turn it off and run again`,
      'error',
    )
  await drill.journal.append({
    type: 'check.passed',
    data: { name: 'change is dark', evidence: { flag, percent: initial, source: control.where } },
  })
}
