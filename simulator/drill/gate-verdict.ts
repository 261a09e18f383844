import { GateRedError } from '../../gate/gate-errors.ts'
import { DEPLOY_HEALTH, DEPLOY_VERIFICATION } from './promote-to-production.ts'

/**
 * What the gate's answer on the scenario's change means for the drill: `merge` (green, as an incident's change
 * must be), `refused` (red where a refusal is the expected outcome: a `--again` run, or the step the scenario's
 * `change.stoppedBy` names), or a failed drill (throws): a change expected to be stopped that got through or was
 * stopped by other steps only, or an incident's change the gate refused (`GateRedError`).
 */
export function gateVerdict(options: {
  stoppedBy: string | undefined
  repeat: boolean
  gate: { commit: string; green: boolean; blockedBy: readonly string[]; failed: readonly string[] }
  scenarioFile: string
}): 'merge' | 'refused' {
  const { gate } = options
  // A change deploy verification (or the deploy's health check) must stop has to pass the gate first.
  const stoppedBy =
    options.stoppedBy === DEPLOY_VERIFICATION || options.stoppedBy === DEPLOY_HEALTH
      ? undefined
      : options.stoppedBy
  if (stoppedBy !== undefined && !gate.blockedBy.includes(stoppedBy))
    throw new Error(
      `the scenario expects the gate's ${stoppedBy} step to refuse the change, but ${
        gate.green ? 'the gate was green' : `only ${gate.blockedBy.join(', ')} refused it`
      }: check change.stoppedBy in ${options.scenarioFile} against the shop's gate (gate/shop/firedrill-gate.yaml)`,
    )
  if (gate.green) return 'merge'
  if (options.repeat || stoppedBy !== undefined) return 'refused'
  throw new GateRedError(gate.commit, [...gate.failed])
}
