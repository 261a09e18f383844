import type { Artifact } from '../../gate/build/artifact.ts'
import type { Clock } from '../../record/clock/clock.ts'
import { flagPercent, rolloutChange } from '../../services/flags/flag-state.ts'
import type { FlagsHttpClient } from '../../services/flags/flags-http-client.ts'
import type { FlagView } from '../../services/flags/flags-schemas.ts'
import type { DrillJournal } from './drill-journal.ts'
import type { DrillPaging } from './drill-paging.ts'
import { waitForFlagOff, waitForFlagOn } from './drill-safety.ts'
import { WATCH_ACTOR } from './post-deploy-watch/post-deploy-watch.ts'
import { type ProductionDeploys, waitForArtifact } from './production-deploys.ts'
import { type QueuePauseWatch, waitForQueueDrained } from './queue-pause-mitigation.ts'

/** One canary step: the flag on for `percent` of customers, through the flag service, journalled. */
export async function releaseStep(options: {
  flags: FlagsHttpClient
  flag: string
  step: number
  percent: number
  holdSeconds: number
  journal: DrillJournal
}): Promise<void> {
  const { flags, flag, step, percent, journal } = options
  const reason = `canary step ${step}: ${percent}%`
  const before = (await flags.list()).flags.find((f) => f.key === flag)
  const answer = await flags.set(flag, rolloutChange(percent), reason)
  await journal.append({
    type: 'flag.changed',
    data: {
      key: flag,
      from: before?.summary ?? null,
      to: answer.definition.summary,
      percent,
      actor: 'release-train',
      reason,
    },
  })
  await journal.append({
    type: 'release.step',
    data: { flag, step, percent, holdSeconds: options.holdSeconds },
  })
}

/**
 * A rollback someone asked for, once every instance answers from the artifact it goes back to. Production already
 * on that artifact (the gate kept the change out, or the change shipped dark) is no rollback: nobody asked.
 */
async function waitForRollback(
  rollback: {
    deploys: Pick<ProductionDeploys, 'rollbackRequested'>
    urls: () => readonly string[]
    to: Artifact
  },
  clock: Clock,
  signal: AbortSignal,
): Promise<void> {
  while (rollback.deploys.rollbackRequested() === undefined) await clock.sleep(100, signal)
  await waitForArtifact(rollback.urls, rollback.to.contentHash, clock, signal)
}

/**
 * Waits until the incident is mitigated, whoever did it: the flag serves off to everyone, every api instance
 * answers from the artifact production ran before the change (a rollback), or the degrade switch serves on to
 * everyone and the workers defer orders by it (a dependency's fault), or the fulfilment queue is paused and its
 * workers hold no job (`queuePause`). Journals the mitigation with the actor and reason from the audit log, the
 * rollback request or the pause (and the acknowledgement, if the responder never gave one).
 */
export async function observeMitigation(options: {
  flags: FlagsHttpClient
  /** The change's flag; an unflagged change can only be rolled back. */
  flag: string | undefined
  /**
   * A dependency's fault: the shop's degrade switch, which mitigates once it serves on to everyone and the workers
   * defer orders (`deferrals`, their running count of deferred orders, goes up).
   */
  degradeSwitch?: { flag: string; deferrals: () => Promise<number> }
  /**
   * Production's fulfilment queue: a pause someone asked for mitigates once BullMQ reports the queue paused and
   * no job active (see `queuePauseMitigation` for when it is offered). @defaultValue a pause does not count
   */
  queuePause?: QueuePauseWatch
  /** `urls`: the api instances taking traffic, read as the wait goes (a blue-green switch changes them). */
  rollback: { deploys: ProductionDeploys; urls: () => readonly string[]; to: Artifact }
  alert: string
  paging: DrillPaging
  journal: DrillJournal
  clock: Clock
  signal: AbortSignal
}): Promise<{ action: 'flag off' | 'rollback' | 'degrade switch on' | 'queue paused'; by: string }> {
  const { flags, flag, journal, rollback } = options
  // The two watches share a signal: the drill's abort ends both (and this wait), and the one that loses stops
  // once the other has seen the mitigation.
  const race = new AbortController()
  const onAbort = () => race.abort(options.signal.reason)
  if (options.signal.aborted) onAbort()
  else options.signal.addEventListener('abort', onAbort, { once: true })
  let winner:
    | { kind: 'flag'; off: FlagView }
    | { kind: 'rollback' }
    | { kind: 'degrade'; on: FlagView }
    | { kind: 'queue'; by: string; reason: string }
  const queuePause = options.queuePause
  const degrade = options.degradeSwitch
  // Deferrals before the switch are not its effect.
  const deferredBefore = degrade === undefined ? 0 : await degrade.deferrals()
  try {
    winner = await Promise.race([
      ...(degrade === undefined
        ? []
        : [
            waitForFlagOn(flags, degrade.flag, options.clock, race.signal).then(async (on) => {
              while ((await degrade.deferrals()) <= deferredBefore)
                await options.clock.sleep(100, race.signal)
              return { kind: 'degrade' as const, on }
            }),
          ]),
      ...(flag === undefined
        ? []
        : [
            waitForFlagOff(flags, flag, options.clock, race.signal).then((off) => ({
              kind: 'flag' as const,
              off,
            })),
          ]),
      waitForRollback(rollback, options.clock, race.signal).then(() => ({ kind: 'rollback' as const })),
      ...(queuePause === undefined
        ? []
        : [
            waitForQueueDrained(queuePause, options.clock, race.signal).then(({ by, reason }) => ({
              kind: 'queue' as const,
              by,
              reason,
            })),
          ]),
    ])
  } finally {
    options.signal.removeEventListener('abort', onAbort)
    race.abort(new Error('mitigation observed'))
  }
  if (winner.kind === 'rollback') {
    const request = rollback.deploys.rollbackRequested()
    const by = request?.by ?? 'unknown'
    const reason = request?.reason ?? ''
    // The post-deploy watch rolls back by itself; it answers no page, so the responder still acknowledges it.
    if (!options.paging.acknowledged() && by !== WATCH_ACTOR)
      await options.paging.acknowledge(by, options.alert)
    await journal.append({
      type: 'mitigation.applied',
      data: {
        action: 'rollback',
        to: rollback.to.contentHash,
        ...(request === undefined ? {} : { from: request.from.contentHash }),
        by,
        reason,
      },
    })
    return { action: 'rollback', by }
  }
  if (winner.kind === 'queue') {
    const { by, reason } = winner
    const held = (await queuePause!.status()).waiting
    if (!options.paging.acknowledged()) await options.paging.acknowledge(by, options.alert)
    await journal.append({
      type: 'mitigation.applied',
      data: { action: 'queue paused', queue: 'fulfilment', held, by, reason },
    })
    return { action: 'queue paused', by }
  }
  // A flag the mitigation turned (off, or a degrade switch on): who and why from the audit log.
  const flagMitigation = async (key: string, view: FlagView, action: 'flag off' | 'degrade switch on') => {
    const audit = (await flags.audit(20)).find((e) => e.flag === key)
    const by = audit?.actor ?? 'unknown'
    const reason = audit?.reason ?? ''
    if (!options.paging.acknowledged()) await options.paging.acknowledge(by, options.alert)
    await journal.append({
      type: 'flag.changed',
      data: {
        key,
        from: audit?.from ?? null,
        to: view.summary,
        percent: flagPercent(view),
        actor: by,
        reason,
      },
    })
    await journal.append({ type: 'mitigation.applied', data: { action, flag: key, by, reason } })
    return { action, by }
  }
  if (winner.kind === 'degrade') return flagMitigation(degrade!.flag, winner.on, 'degrade switch on')
  return flagMitigation(flag!, winner.off, 'flag off')
}
