import type { Artifact, ArtifactRef } from '../build/artifact.ts'
import { verifyArtifact } from '../build/verify-artifact.ts'
import {
  ArtifactCorruptError,
  type DeployCheck,
  DeployFailedError,
  DeployInProgressError,
  DeployNotVerifiedError,
  DeployRollbackFailedError,
} from '../gate-errors.ts'
import { runCheck } from './check-outcome.ts'
import type { DeployEvent } from './deploy-event.ts'
import { artifactRef, type Environment, type SlotReport } from './environment.ts'
import { type HealthCheck, readyzCheck } from './health-check.ts'
import { orderSmokeCheck, type SmokeCheck } from './smoke-check.ts'

export interface DeployOptions {
  /** Gates each updated instance. @defaultValue `GET /readyz` answers 200 within `healthTimeoutMs` */
  healthCheck?: HealthCheck
  /** How long an instance has to become ready (default health check only). @defaultValue 5000 */
  healthTimeoutMs?: number
  /** Runs once every slot is updated. @defaultValue a real order placed and read back through every instance */
  smokeCheck?: SmokeCheck
  /**
   * The content hash an earlier environment verified (staging's): an artifact with any other hash is refused
   * before any slot is touched, whatever it is called. Unset: any artifact that matches its manifest deploys.
   */
  verifiedContentHash?: string
  /**
   * The api slots to update, in order: a batch of a rolling release. The others keep what they run; the smoke
   * check still goes through every instance. @defaultValue every slot
   */
  slots?: readonly number[]
  /** Told every step, in order. It should not throw; if it does, the deploy carries on regardless. */
  onEvent?: (event: DeployEvent) => void
}

export interface DeployResult {
  env: string
  artifact: ArtifactRef
  slots: SlotReport[]
}

/**
 * Rolls `artifact` out to `env`, one api slot at a time: stop the old instance, start the new one on the same
 * port, health-check it. After the last slot, a smoke check. If a start, a health check or the smoke check
 * fails, every slot updated so far is put back on the artifact it ran before (started and health-checked the
 * same way) and the deploy rejects with `DeployFailedError` (`DeployRollbackFailedError` if a slot could not
 * be brought back). The artifact is verified against its manifest, and against `verifiedContentHash` when given
 * (`DeployNotVerifiedError`), before any slot is touched.
 */
export async function deployArtifact(
  env: Environment,
  artifact: Artifact,
  options: DeployOptions = {},
): Promise<DeployResult> {
  if (env.deploying) throw new DeployInProgressError(env.name)
  env.deploying = true
  try {
    return await rollOut(env, artifact, options)
  } finally {
    env.deploying = false
  }
}

async function rollOut(env: Environment, artifact: Artifact, options: DeployOptions): Promise<DeployResult> {
  const verification = await verifyArtifact(artifact.dir)
  if (!verification.ok) throw new ArtifactCorruptError(artifact.dir, verification.problems)
  if (verification.contentHash !== artifact.contentHash)
    throw new ArtifactCorruptError(artifact.dir, [
      `its files hash to ${verification.contentHash}, not to the ${artifact.contentHash} this deploy was given`,
    ])

  const ref = artifactRef(artifact)
  if (options.verifiedContentHash !== undefined && options.verifiedContentHash !== artifact.contentHash) {
    const detail = `content hash ${artifact.contentHash} is not the verified ${options.verifiedContentHash}`
    try {
      options.onEvent?.({ env: env.name, artifact: ref, type: 'deploy.finished', outcome: 'refused', detail })
    } catch {
      // A listener's trouble changes nothing: the deploy is refused either way.
    }
    throw new DeployNotVerifiedError(env.name, artifact, options.verifiedContentHash)
  }
  const healthCheck = options.healthCheck ?? readyzCheck({ timeoutMs: options.healthTimeoutMs ?? 5000 })
  const smokeCheck = options.smokeCheck ?? orderSmokeCheck()
  const emit = (event: Omit<DeployEvent, 'env' | 'artifact'>) => {
    try {
      options.onEvent?.({ env: env.name, artifact: ref, ...event })
    } catch {
      // A listener's trouble must not leave the environment half deployed.
    }
  }
  const previous = new Map(env.slots.map((slot) => [slot, env.artifactOf(slot)]))
  const touched: number[] = []

  const fail = async (check: DeployCheck, slot: number | undefined, detail: string, cause?: unknown) => {
    const notBack: number[] = []
    for (const s of [...touched].reverse()) {
      const before = previous.get(s) ?? null
      const back = await restore(env, s, before, healthCheck)
      if (back.ok)
        emit({
          type: 'rolled-back',
          slot: s,
          rolledBackTo: before && artifactRef(before),
          detail: back.detail,
        })
      else notBack.push(s)
    }
    if (notBack.length > 0) {
      emit({ type: 'deploy.finished', outcome: 'rollback-failed', detail })
      throw new DeployRollbackFailedError(env.name, artifact.commit, notBack, detail, cause)
    }
    emit({ type: 'deploy.finished', outcome: 'rolled-back', detail })
    throw new DeployFailedError(env.name, artifact.commit, check, slot, detail, cause)
  }

  const batch = options.slots ?? env.slots
  for (const slot of batch)
    if (!env.slots.includes(slot)) throw new RangeError(`${env.name} has no api slot ${slot}`)
  const running = [...new Set(batch.map((slot) => previous.get(slot)?.commit ?? 'nothing'))]
  emit({ type: 'deploy.started', detail: `${batch.length} api slot(s), running ${running.join(', ')}` })
  for (const slot of batch) {
    touched.push(slot)
    await env.stopSlot(slot)
    let url: string
    try {
      url = await env.startSlot(slot, artifact)
    } catch (err) {
      const detail = `the api did not start: ${(err as Error).message}`
      emit({ type: 'health.failed', slot, detail })
      return fail('start', slot, detail, err)
    }
    const health = await runCheck(() => healthCheck(url))
    if (!health.ok) {
      emit({ type: 'health.failed', slot, detail: health.detail })
      return fail('health', slot, health.detail)
    }
    emit({ type: 'instance.updated', slot, detail: url })
  }

  const smoke = await runCheck(() => smokeCheck(env.urls()))
  if (!smoke.ok) {
    emit({ type: 'smoke.failed', detail: smoke.detail })
    return fail('smoke', undefined, smoke.detail)
  }
  emit({ type: 'smoke.passed', detail: smoke.detail })
  emit({ type: 'deploy.finished', outcome: 'deployed' })
  return { env: env.name, artifact: ref, slots: env.current() }
}

/**
 * Puts a slot back on the artifact it ran before (or leaves it empty, if it ran nothing). A slot whose old
 * artifact does not pass the health check either is left empty rather than serving unhealthy.
 */
async function restore(
  env: Environment,
  slot: number,
  before: Artifact | null,
  healthCheck: HealthCheck,
): Promise<{ ok: boolean; detail: string }> {
  await env.stopSlot(slot).catch(() => {})
  if (before === null) return { ok: true, detail: 'it ran nothing before, so it is left empty' }
  try {
    const url = await env.startSlot(slot, before)
    const health = await runCheck(() => healthCheck(url))
    if (health.ok) return { ok: true, detail: `${url} runs ${before.commit} again` }
    await env.stopSlot(slot).catch(() => {})
    return health
  } catch (err) {
    return { ok: false, detail: (err as Error).message }
  }
}
