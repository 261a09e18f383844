import { performance } from 'node:perf_hooks'
import type { Artifact } from '../build/artifact.ts'
import { RollbackUnprovenError } from '../gate-errors.ts'
import { type DeployOptions, deployArtifact } from './deploy-artifact.ts'
import type { Environment } from './environment.ts'

export interface RollbackProof {
  env: string
  slot: number
  /** What the slot runs before and after the rehearsal. */
  current: Artifact
  /** What it was rolled back to in between. */
  previous: Artifact
  /** Wall time of each leg, health check and smoke check included. */
  backMs: number
  forwardMs: number
}

export interface ProveRollbackOptions
  extends Pick<DeployOptions, 'onEvent' | 'healthCheck' | 'healthTimeoutMs' | 'smokeCheck'> {
  /** The slot rehearsed on. @defaultValue the first slot */
  slot?: number
}

/**
 * "Test rollbacks before you need them": one api slot of `env`, which runs `current`, is rolled back to
 * `previous` and forward to `current` again, each leg the same health-checked, smoke-checked deploy any release
 * or rollback uses. The other slots keep serving `current` throughout. A leg that fails rejects with
 * `RollbackUnprovenError`: the deploy's own rollback has put the slot back on what it ran before that leg, so the
 * slot serves either artifact, and the release must not start.
 */
export async function proveRollback(
  env: Environment,
  current: Artifact,
  previous: Artifact,
  options: ProveRollbackOptions = {},
): Promise<RollbackProof> {
  const slot = options.slot ?? env.slots[0] ?? 0
  const deployOptions: DeployOptions = {
    slots: [slot],
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
    ...(options.healthCheck === undefined ? {} : { healthCheck: options.healthCheck }),
    ...(options.healthTimeoutMs === undefined ? {} : { healthTimeoutMs: options.healthTimeoutMs }),
    ...(options.smokeCheck === undefined ? {} : { smokeCheck: options.smokeCheck }),
  }
  const leg = async (name: 'back' | 'forward', from: Artifact, to: Artifact): Promise<number> => {
    const started = performance.now()
    try {
      await deployArtifact(env, to, deployOptions)
    } catch (err) {
      throw new RollbackUnprovenError(env.name, name, slot, from.contentHash, to.contentHash, err)
    }
    return Math.round(performance.now() - started)
  }
  const backMs = await leg('back', current, previous)
  const forwardMs = await leg('forward', previous, current)
  return { env: env.name, slot, current, previous, backMs, forwardMs }
}
