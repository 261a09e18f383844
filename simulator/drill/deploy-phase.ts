import { join } from 'node:path'
import { isFlagOff } from '../../services/flags/flag-state.ts'
import { FlagsHttpClient } from '../../services/flags/flags-http-client.ts'
import { RedisFaultModeStore } from '../../services/payments/fault-mode-store.ts'
import { PAYMENTS_CAPACITY_LEASE, RedisProviderCapacity } from '../../services/payments/provider-capacity.ts'
import { deployShop } from './deploy-shop.ts'
import { startDeploysApi } from './deploys-api.ts'
import type { DrillContext } from './drill-context.ts'
import type { PhaseCheck } from './drill-phases.ts'
import { fulfilmentQueueControls } from './fulfilment-queue-control.ts'
import { servedArtifacts } from './served-artifacts.ts'

/**
 * The deploy phase: the bad change travels as a commit to trunk (through the gate) and runs dark (its flag off);
 * production's deploy controls (and its fulfilment queue's) are served over HTTP, as a person reaches them, with
 * the drill's token.
 */
export async function deployDark(drill: DrillContext): Promise<void> {
  const { options, repeated, journal, prefix, token } = drill
  const deployed = await deployShop({
    loaded: drill.loaded,
    runDir: drill.outDir,
    shop: {
      redisUrl: options.redisUrl,
      prefix,
      apiInstances: drill.service.api,
      workers: drill.service.workers,
      flagsToken: token,
      flagsResyncIntervalMs: 1000,
      ...(options.shopLogLines === undefined ? {} : { onLogLine: options.shopLogLines }),
    },
    record: (event) => journal.append(event),
    say: drill.say,
    startedAt: drill.startedAt,
    clock: drill.clock,
    signal: drill.signal,
    ...(repeated === undefined
      ? {}
      : {
          baseRepo: join(repeated.dir, 'sandbox'),
          baseProductionCommit: repeated.productionCommit,
          baseBadCommit: repeated.badCommit,
        }),
  })
  drill.deployed = deployed
  const queueControl = fulfilmentQueueControls({
    redisUrl: options.redisUrl,
    prefix,
    lease: drill.lease!,
    journal,
    clock: drill.clock,
    say: drill.say,
  })
  drill.queueControl = queueControl
  drill.deploysApi = await startDeploysApi({ controls: deployed.deploys, token, queue: queueControl })
  drill.flags = new FlagsHttpClient({ baseUrl: deployed.shop.flagsUrl, token, actor: 'release-train' })
}

/** Exit check: every api instance and the flag service answer ready. */
export const serviceHealthy: PhaseCheck<DrillContext> = async (drill) => {
  const { shop } = drill.deployed!
  const health = await Promise.all(
    [...shop.apiUrls, shop.flagsUrl].map(async (url) => ({
      url,
      status: (await fetch(`${url}/readyz`)).status,
    })),
  )
  return {
    name: 'service healthy',
    ok: health.every((h) => h.status === 200),
    evidence: { instances: health },
  }
}

/**
 * Exit check: nothing is released yet. A dependency's fault: the provider healthy. An unflagged change, released
 * by deploying it: production still runs what it ran before. A flagged change: its flag serving off.
 */
export const changeNotReleased: PhaseCheck<DrillContext> = async (drill) => {
  const { flag, scenario } = drill
  const deployed = drill.deployed!
  if (drill.providerFault !== undefined) {
    const mode = await new RedisFaultModeStore(drill.control!, drill.prefix).get()
    return { name: 'payment provider healthy', ok: mode.mode === 'none', evidence: { provider: mode } }
  }
  if (flag === undefined) {
    const serving = await servedArtifacts(deployed.shop.liveUrls())
    return {
      name: 'change not yet in production',
      ok: serving.every((hash) => hash === deployed.base.contentHash),
      evidence: { strategy: scenario.release.strategy, expected: deployed.base.contentHash, serving },
    }
  }
  const initial = (await drill.flags!.list()).flags.find((f) => f.key === flag)
  return {
    name: 'change is dark',
    ok: initial !== undefined && isFlagOff(initial),
    evidence: { flag, serving: initial?.summary ?? 'missing' },
  }
}

/** Exit check of a retry storm's deploy: the provider healthy before its capacity is set. */
export const providerReady: PhaseCheck<DrillContext> = async (drill) => {
  if (drill.retryStorm === undefined) return null
  const mode = await new RedisFaultModeStore(drill.control!, drill.prefix).get()
  return {
    name: 'payment provider healthy',
    ok: mode.mode === 'none',
    evidence: { provider: mode, capacityPerSecond: drill.retryStorm.capacityPerSecond },
  }
}

/**
 * A retry storm's provider capacity, set from before the steady state so that the steady state shows traffic
 * under it; under the drill's lease, so it lapses with the drill if the drill dies.
 */
export async function limitProviderCapacity(drill: DrillContext): Promise<void> {
  await drill.lease!.guard(PAYMENTS_CAPACITY_LEASE, '', null)
  await new RedisProviderCapacity(drill.control!, drill.prefix).set(drill.retryStorm!.capacityPerSecond)
}
