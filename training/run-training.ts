import type { LoadedScenario } from '../record/scenario/load-scenario.ts'
import { NO_PAGE_DESTINATIONS, type PageDestinations } from '../simulator/detection/page-destinations.ts'
import type { DrillOutcome } from '../simulator/drill/drill-options.ts'
import { runDrill } from '../simulator/drill/run-drill.ts'
import { buildConsoleApp } from './console/console-app.ts'
import { ConsolePortUnavailableError } from './console/console-errors.ts'
import { startShopWatch } from './console/shop-watch.ts'
import { TrainingSession } from './console/training-session.ts'

export interface TrainingOptions {
  loaded: LoadedScenario
  redisUrl: string
  /** Who answers the page: credited with every action from the trainee's page. @defaultValue 'trainee' */
  trainee?: string
  /** Overrides the scenario's seed. */
  seed?: number
  /** The console's port on 127.0.0.1. @defaultValue 0 (any free port) */
  port?: number
  outDir?: string
  /** Aborting it (Ctrl-C) aborts the drill, as the facilitator's abort does. */
  signal?: AbortSignal
  progress?: (line: string) => void
  /** @defaultValue true */
  followUp?: boolean
  /** @defaultValue none: a training drill's pages stay on the console */
  pageDestinations?: PageDestinations
  /** Fixed tokens (tests, screenshots). @defaultValue fresh random ones */
  tokens?: { trainee: string; facilitator: string }
}

export interface Training {
  /** The console's base URL on loopback. */
  url: string
  traineeUrl: string
  facilitatorUrl: string
  session: TrainingSession
  /** The drill, run once the console listens: resolves with its outcome after cleanup. */
  outcome: Promise<DrillOutcome>
  /** Stops the console (after the drill). */
  close(): Promise<void>
}

/**
 * A training drill: the console listens on loopback first, so the alerts' runbook links point at it; then the
 * drill runs with the console's trainee as its responder and the facilitator's approval as its review gate.
 * The drill runs exactly as `firedrill run` does otherwise: the same detection, timings and cleanup.
 */
export async function startTraining(options: TrainingOptions): Promise<Training> {
  const session = new TrainingSession({
    loaded: options.loaded,
    trainee: options.trainee ?? 'trainee',
    ...(options.tokens === undefined ? {} : { tokens: options.tokens }),
  })
  const app = buildConsoleApp({ session })
  const port = options.port ?? 0
  await app.listen({ host: '127.0.0.1', port }).catch(async (err: NodeJS.ErrnoException) => {
    await app.close()
    if (err.code === 'EADDRINUSE') throw new ConsolePortUnavailableError(port, 'another process holds it')
    if (err.code === 'EACCES') throw new ConsolePortUnavailableError(port, 'not allowed to take it')
    throw err
  })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('the console has no TCP address')
  // The address the socket is bound to, as the OS reports it: loopback, never a wildcard.
  const url = `http://${address.address}:${address.port}`
  const signal =
    options.signal === undefined
      ? session.abortController.signal
      : AbortSignal.any([options.signal, session.abortController.signal])
  const outcome = runDrill({
    loaded: options.loaded,
    redisUrl: options.redisUrl,
    respondWith: session.responder(),
    releaseClock: session.releaseClock,
    review: (plan) => session.review(plan),
    shopLogLines: session.shopLogs.add,
    onOpened: ({ journal, prefix }) => {
      session.attach(journal)
      session.watchShop(startShopWatch({ redisUrl: options.redisUrl, prefix }))
    },
    consoleUrl: url,
    signal,
    pageDestinations: options.pageDestinations ?? NO_PAGE_DESTINATIONS,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.outDir === undefined ? {} : { outDir: options.outDir }),
    ...(options.progress === undefined ? {} : { progress: options.progress }),
    ...(options.followUp === undefined ? {} : { followUp: options.followUp }),
  })
  return {
    url,
    traineeUrl: `${url}/trainee?token=${encodeURIComponent(session.tokens.trainee)}`,
    facilitatorUrl: `${url}/facilitator?token=${encodeURIComponent(session.tokens.facilitator)}`,
    session,
    outcome,
    async close() {
      session.close()
      await app.close()
    },
  }
}
