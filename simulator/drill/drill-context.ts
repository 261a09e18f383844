import { randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'
import { type Clock, systemClock } from '../../record/clock/clock.ts'
import type { ValidScenario } from '../../record/scenario/parse-scenario.ts'
import { type ShopService, shopServiceOf } from '../../record/scenario/shop-service.ts'
import type { FlagsHttpClient } from '../../services/flags/flags-http-client.ts'
import type { LeaseHolder } from '../../services/leases/index.ts'
import { isRedisUnavailable } from '../../services/platform/redis/redis-connection.ts'
import { type PageDestinations, pageDestinationsFromEnv } from '../detection/page-destinations.ts'
import type { TrafficRun } from '../traffic/start-traffic.ts'
import type { Decoys } from './decoys.ts'
import type { DeployedShop } from './deployed-shop.ts'
import type { CleanupReport } from './drill-cleanup.ts'
import type { DrillDetection } from './drill-detection.ts'
import type { DrillJournal } from './drill-journal.ts'
import type { DrillOutcome, RunDrillOptions } from './drill-options.ts'
import type { DrillPaging } from './drill-paging.ts'
import {
  createDrillRunControl,
  type DrillAborted,
  type DrillRunControl,
  type trackRecovery,
} from './drill-run-control.ts'
import type { FulfilmentQueueControls } from './fulfilment-queue-control.ts'
import { openRun, progressSayer, type RepeatedRun, readRepeatedRun } from './open-run.ts'
import type { Page } from './pager.ts'
import type { ProviderStatusPage } from './provider-status-page.ts'
import type { KeyKeeper } from './run-keys.ts'
import { thisProcess } from './run-process.ts'

type Fault = ValidScenario['change']['fault']

/**
 * What a drill's phases share: the run and its scenario, set when it opens; then what each phase leaves for the
 * ones after it (the lease, the deployed shop, what watches it), which cleanup puts back whatever was reached.
 */
export interface DrillContext {
  readonly options: RunDrillOptions
  readonly loaded: RunDrillOptions['loaded']
  readonly scenario: ValidScenario
  readonly service: ShopService
  readonly clock: Clock
  readonly seed: number
  readonly responderKind: 'bot' | 'human'
  readonly startedAt: number
  readonly pageDestinations: PageDestinations
  /** The run a `--again` run repeats. */
  readonly repeated: RepeatedRun | undefined
  readonly runId: string
  readonly outDir: string
  readonly journalFile: string
  readonly journal: DrillJournal
  /** The run's Redis key prefix (the shop's keys and queues, the lease). */
  readonly prefix: string
  /** The flag that guards the change; none for an unflagged change or a dependency's fault. */
  readonly flag: string | undefined
  /** A dependency's fault: no change of ours; the provider's fault is the release, the degrade switch the way out. */
  readonly providerFault: Extract<Fault, { kind: 'provider-degraded' }> | undefined
  /** A change whose retries meet the provider's capacity: the capacity from the start, a blip in the last step. */
  readonly retryStorm: Extract<Fault, { kind: 'charges-retried-at-once' }> | undefined
  /** The drill's token for the flag service and the deploys API. */
  readonly token: string
  /** One progress line, stamped with the seconds since the start. */
  readonly say: (line: string) => void
  readonly run: DrillRunControl
  /** Aborts every wait of the drill once it is stopped. */
  readonly signal: AbortSignal
  /** The drill's own line to Redis (its lease, the keys it owns), from once the plan holds. */
  control?: Redis
  readonly ownedPrefixes: readonly string[]
  /** Background work whose failure stops the drill; cleanup lets it settle. */
  readonly background: Promise<unknown>[]
  track(task: Promise<unknown>): void

  // Left by the phases for the ones after them, and for cleanup.
  lease?: LeaseHolder
  keeper?: KeyKeeper
  deployed?: DeployedShop
  deploysApi?: { url: string; close(): Promise<void> }
  /** Production's fulfilment queue, as the deploys API and the responder reach it (its pause a mitigation). */
  queueControl?: FulfilmentQueueControls
  /** The flag service, as the release train reaches it. */
  flags?: FlagsHttpClient
  providerPage?: ProviderStatusPage
  paging?: DrillPaging
  decoys?: Decoys
  recovery?: ReturnType<typeof trackRecovery>
  detection?: DrillDetection
  traffic?: TrafficRun
  /** The live progress line's timer. */
  live?: ReturnType<typeof setInterval>
  /** Whether any step has released the change to anyone yet. */
  released: boolean
  /** How the release ended: a page to answer, or none (refused, rolled back at deploy, absorbed by the shop). */
  incident?: { page: Page } | { page: null; absorbed: boolean; caught: boolean }
  /** The outcome so far (an abort decides its own, at the end). */
  status: Exclude<DrillOutcome['status'], 'aborted'>
  loopClosed: boolean
  flagClosedOut: boolean
  /** The abort as cleanup found it. */
  abort?: DrillAborted
  cleanup?: CleanupReport
}

/**
 * Opens the drill's run (its directory, journal and run control) and journals `drill.started`. Nothing in the
 * shop has changed yet.
 */
export async function openDrill(options: RunDrillOptions): Promise<DrillContext> {
  const { loaded } = options
  const { scenario } = loaded
  const service = shopServiceOf(loaded.name, scenario)
  const clock: Clock = options.clock ?? systemClock
  const seed = options.seed ?? scenario.seed
  const responderKind = options.responder ?? scenario.responder.kind
  const startedAt = clock.now()
  const pageDestinations = options.pageDestinations ?? pageDestinationsFromEnv(process.env)
  const repeated = options.again === undefined ? undefined : await readRepeatedRun(options.again)
  const { runId, outDir, journalFile, journal } = await openRun(loaded, clock, startedAt, options.outDir)
  const prefix = `drill-${runId}`
  options.onOpened?.({ runId, outDir, journal, prefix })
  const flag = scenario.change.flag
  const { fault } = scenario.change
  const say = progressSayer(options.progress, clock, startedAt)

  const run = createDrillRunControl({
    journal,
    say,
    signal: options.signal,
    interrupted: 'interrupted (Ctrl-C or SIGTERM)',
    // A failure that comes down to Redis being unreachable is said as such, whichever part noticed it first.
    classify: (why, given) =>
      given === 'error' && isRedisUnavailable(new Error(why))
        ? { reason: `redis unavailable: ${why}`, condition: 'redis-unavailable' }
        : { reason: why, condition: given },
  })
  const background: Promise<unknown>[] = []
  const drill: DrillContext = {
    options,
    loaded,
    scenario,
    service,
    clock,
    seed,
    responderKind,
    startedAt,
    pageDestinations,
    repeated,
    runId,
    outDir,
    journalFile,
    journal,
    prefix,
    flag,
    providerFault: fault.kind === 'provider-degraded' ? fault : undefined,
    retryStorm: fault.kind === 'charges-retried-at-once' ? fault : undefined,
    token: randomBytes(24).toString('base64url'),
    say,
    run,
    signal: run.signal,
    ownedPrefixes: [prefix, `${prefix}-staging`],
    background,
    track: (task) => {
      background.push(
        task.catch((err: unknown) => run.stop(`drill machinery failed: ${(err as Error).message}`, 'error')),
      )
    },
    released: false,
    status: 'not-recovered',
    loopClosed: false,
    flagClosedOut: false,
  }

  await journal.append({
    type: 'drill.started',
    data: {
      runId,
      scenario: loaded.name,
      title: scenario.title,
      seed,
      timeScale: scenario.timeScale,
      slo: { objective: scenario.slo.objective, window: scenario.slo.window },
      ...(flag === undefined ? {} : { flag }),
      strategy: scenario.release.strategy,
      responder: options.respondWith?.kind ?? responderKind,
      ...(repeated === undefined ? {} : { againOf: { runId: repeated.runId, dir: repeated.dir } }),
      process: thisProcess(),
    },
  })
  return drill
}
