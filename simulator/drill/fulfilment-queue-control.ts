import { Queue } from 'bullmq'
import type { Clock } from '../../record/clock/clock.ts'
import type { NewJournalEvent } from '../../record/journal/journal-event.ts'
import type { LeaseHolder } from '../../services/leases/index.ts'
import { FULFILMENT_QUEUE, keyspace } from '../../services/platform/keys.ts'
import { closeConnection, createRedisConnection } from '../../services/platform/redis/redis-connection.ts'
import { withTimeout } from '../../services/platform/with-timeout.ts'
import { FULFILMENT_QUEUE_PAUSE_LEASE } from '../../services/worker/fulfilment-queue-pause.ts'
import { QueueAlreadyThereError } from './drill-errors.ts'

/** The fulfilment queue as the control reports it: paused or not, its jobs, and the pause standing now. */
export interface FulfilmentQueueView {
  queue: string
  paused: boolean
  waiting: number
  active: number
  delayed: number
  /** The pause standing now: who asked for it, why, and when (ISO); null while the queue runs. */
  pause: { by: string; reason: string; since: string } | null
}

/** A pause someone asked for: who, why, and when (ms on the drill's clock). */
export interface QueuePauseRequest {
  by: string
  reason: string
  at: number
}

export interface FulfilmentQueueControls {
  status(): Promise<FulfilmentQueueView>
  /**
   * Pauses the queue (BullMQ `pause()`): the workers finish the jobs in hand and take no new one. Registered
   * under the drill's lease first, so a drill that dies leaves it to the workers to resume. Journals
   * `queue.paused`. Throws `QueueAlreadyThereError` when it is paused already.
   */
  pause(by: string, reason: string): Promise<FulfilmentQueueView>
  /** Resumes it (BullMQ `resume()`) and journals `queue.resumed` with what it held and for how long. */
  resume(by: string, reason: string): Promise<FulfilmentQueueView>
  /** The pause asked for and standing now, if any. */
  pauseRequested(): QueuePauseRequest | undefined
  /**
   * Whether the pause has taken effect: BullMQ reports the queue paused and no job is active (the workers
   * finished the jobs in hand and take no new one).
   */
  drained(): Promise<boolean>
  /** The drill's cleanup: resumes a queue still paused (journalled, by `firedrill`), then closes. */
  putBack(why: string): Promise<void>
  close(): Promise<void>
}

/** The drill's control of production's fulfilment queue, as the queue control API and the CLI reach it. */
export function fulfilmentQueueControls(options: {
  redisUrl: string
  /** The shop's key prefix. */
  prefix: string
  lease: Pick<LeaseHolder, 'guard' | 'release'>
  journal: { append(event: NewJournalEvent): Promise<unknown> }
  clock: Clock
  say(line: string): void
}): FulfilmentQueueControls {
  const { lease, journal, clock, say } = options
  const connection = createRedisConnection(options.redisUrl, 'worker')
  const queue = new Queue(FULFILMENT_QUEUE, { connection, prefix: keyspace(options.prefix).bullPrefix })
  queue.on('error', () => {})
  let standing: QueuePauseRequest | undefined
  let closing: Promise<void> | undefined
  // One change at a time: a pause and a resume asked for together are taken in turn.
  let turn: Promise<unknown> = Promise.resolve()
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const run = turn.then(work)
    turn = run.catch(() => {})
    return run
  }

  const status = async (): Promise<FulfilmentQueueView> => {
    const [paused, counts] = await Promise.all([
      queue.isPaused(),
      queue.getJobCounts('waiting', 'active', 'delayed'),
    ])
    return {
      queue: FULFILMENT_QUEUE,
      paused,
      waiting: counts.waiting ?? 0,
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      pause:
        paused && standing !== undefined
          ? { by: standing.by, reason: standing.reason, since: new Date(standing.at).toISOString() }
          : null,
    }
  }

  const resume = async (by: string, reason: string): Promise<FulfilmentQueueView> => {
    const before = await status()
    if (!before.paused) throw new QueueAlreadyThereError(FULFILMENT_QUEUE, 'running', '')
    await queue.resume()
    const pausedMs = standing === undefined ? 0 : clock.now() - standing.at
    standing = undefined
    await lease.release(FULFILMENT_QUEUE_PAUSE_LEASE, FULFILMENT_QUEUE)
    await journal.append({
      type: 'queue.resumed',
      data: { queue: FULFILMENT_QUEUE, by, reason, pausedMs, held: before.waiting },
    })
    say(`the ${FULFILMENT_QUEUE} queue resumed by ${by} (${before.waiting} jobs held): ${reason}`)
    return status()
  }

  return {
    status,
    pause: (by, reason) =>
      exclusive(async () => {
        const before = await status()
        if (before.paused)
          throw new QueueAlreadyThereError(
            FULFILMENT_QUEUE,
            'paused',
            before.pause === null ? '' : `by ${before.pause.by} since ${before.pause.since}`,
          )
        // Registered before it is made: if the drill dies, the workers resume the queue once the lease lapses.
        await lease.guard(FULFILMENT_QUEUE_PAUSE_LEASE, FULFILMENT_QUEUE, null)
        await queue.pause()
        standing = { by, reason, at: clock.now() }
        await journal.append({
          type: 'queue.paused',
          data: { queue: FULFILMENT_QUEUE, by, reason, waiting: before.waiting, active: before.active },
        })
        say(`the ${FULFILMENT_QUEUE} queue paused by ${by}: ${reason}`)
        return status()
      }),
    resume: (by, reason) => exclusive(() => resume(by, reason)),
    pauseRequested: () => standing,
    async drained() {
      const now = await status()
      return now.paused && now.active === 0
    },
    async putBack(why) {
      try {
        // Bounded: with Redis gone this fails rather than hangs, and the connection is closed either way.
        await withTimeout(
          exclusive(async () => {
            if (await queue.isPaused()) await resume('firedrill', `drill cleanup: ${why}`)
          }),
          2500,
          'resuming the fulfilment queue',
        )
      } finally {
        await this.close()
      }
    },
    close() {
      closing ??= (async () => {
        await queue.close().catch(() => {})
        await closeConnection(connection)
      })()
      return closing
    },
  }
}
