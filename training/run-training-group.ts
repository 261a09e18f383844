import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import type { DrillOutcome } from '../simulator/drill/drill-options.ts'
import { ConsolePortUnavailableError } from './console/console-errors.ts'
import { buildGroupApp } from './console/group-app.ts'
import { startTraining, type Training, type TrainingOptions } from './run-training.ts'

export interface TrainingGroupOptions
  extends Omit<TrainingOptions, 'trainee' | 'tokens' | 'port' | 'outDir' | 'progress'> {
  /** One isolated drill per name: its own console, ports and Redis key prefix; the same scenario and seed. */
  trainees: readonly string[]
  /** The group page's port on 127.0.0.1; each trainee's console takes a free one. @defaultValue 0 */
  port?: number
  /** Each trainee's run goes to `<outDir>/<trainee>`. @defaultValue each run's own under `.firedrill/runs/` */
  outDir?: string
  /** Each line is told whose drill it is about. */
  progress?: (trainee: string, line: string) => void
  /** The group page's token. @defaultValue a fresh random one */
  token?: string
}

export interface TrainingGroup {
  /** The group facilitator's page: every trainee's drill, with approve-all and abort-all. */
  facilitatorUrl: string
  trainings: readonly { trainee: string; training: Training }[]
  /** Every drill's outcome, in the trainees' order, once all have ended. */
  outcomes: Promise<DrillOutcome[]>
  close(): Promise<void>
}

/**
 * Several trainees at once: one training drill each (`startTraining`), isolated on one Redis (each run has its
 * own key prefix, shop, ports and console), with the same scenario and seed so they get the same incident, and
 * one facilitator page over all of them. Each trainee's own facilitator page (pause, hints, the journal) is
 * linked from it.
 */
export async function startTrainingGroup(options: TrainingGroupOptions): Promise<TrainingGroup> {
  const seed = options.seed ?? options.loaded.scenario.seed
  const trainings: { trainee: string; training: Training }[] = []
  try {
    for (const trainee of options.trainees) {
      const progress = options.progress
      const training = await startTraining({
        loaded: options.loaded,
        redisUrl: options.redisUrl,
        trainee,
        seed,
        port: 0,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...(options.followUp === undefined ? {} : { followUp: options.followUp }),
        ...(options.pageDestinations === undefined ? {} : { pageDestinations: options.pageDestinations }),
        ...(options.outDir === undefined ? {} : { outDir: join(options.outDir, trainee) }),
        ...(progress === undefined ? {} : { progress: (line: string) => progress(trainee, line) }),
      })
      trainings.push({ trainee, training })
    }
  } catch (err) {
    await closeAll(trainings)
    throw err
  }
  const token = options.token ?? randomBytes(24).toString('base64url')
  const app = buildGroupApp({ trainings, token })
  const port = options.port ?? 0
  try {
    await app.listen({ host: '127.0.0.1', port })
  } catch (err) {
    await app.close()
    await closeAll(trainings)
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE') throw new ConsolePortUnavailableError(port, 'another process holds it')
    if (code === 'EACCES') throw new ConsolePortUnavailableError(port, 'not allowed to take it')
    throw err
  }
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('the group page has no TCP address')
  return {
    facilitatorUrl: `http://${address.address}:${address.port}/group?token=${encodeURIComponent(token)}`,
    trainings,
    outcomes: Promise.all(trainings.map(({ training }) => training.outcome)),
    async close() {
      await app.close()
      await Promise.all(trainings.map(({ training }) => training.close()))
    },
  }
}

/** Ends drills already started when a later one could not start: aborted, cleaned up, consoles closed. */
async function closeAll(trainings: readonly { training: Training }[]): Promise<void> {
  for (const { training } of trainings) training.session.abortController.abort('the group could not start')
  await Promise.all(
    trainings.map(async ({ training }) => {
      await training.outcome.catch(() => {})
      await training.close()
    }),
  )
}
