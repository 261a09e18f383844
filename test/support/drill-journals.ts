import { JournalBuilder } from '../../record/journal/journal-builder.ts'
import type { JournalEvent, JournalEventData } from '../../record/journal/journal-event.ts'

export interface DrillJournalOptions {
  /** When the run starts (epoch ms). */
  start: number
  /** Overrides of `drill.started`'s defaults (see `JournalBuilder.started`). */
  started?: Partial<JournalEventData['drill.started']>
  /** The trunk commit the change merged as (default `<runId>-trunk`). */
  trunk?: string
  /** The artifact production runs, when the test needs one. */
  artifact?: string
  /**
   * A `--again` run: the change is refused at the gate at 2 s and nothing fails. With `deploys`, production
   * starts on the earlier run's trunk (that commit) at 1.5 s, as a real `--again` run does.
   */
  refused?: { deploys?: string }
}

/**
 * A drill's journal by hand, with round figures: the change committed at 1 s, merged at 2 s and deployed to
 * production at 3 s; an alert at 20 s and recovery at 25 s (a 5 s incident); finished at 40 s. Or, with
 * `refused`, its `--again` run.
 */
export function drillJournal(runId: string, options: DrillJournalOptions): JournalEvent[] {
  const j = new JournalBuilder(options.start)
  j.started(runId, options.started)
  j.at(1_000).add('change.committed', { branch: 'change/b', commit: `${runId}-change`, title: 't' })
  const artifact = options.artifact === undefined ? {} : { artifact: options.artifact }
  if (options.refused !== undefined) {
    const deploys = options.refused.deploys
    if (deploys !== undefined)
      j.at(1_500).add('change.deployed', {
        commit: deploys,
        dark: false,
        environment: 'production',
        ...artifact,
      })
    j.at(2_000).add('change.refused', {
      branch: 'change/b',
      commit: `${runId}-change`,
      blockedBy: ['unit-tests'],
    })
    j.at(40_000).add('drill.finished', { outcome: 'prevented', durationMs: 40_000 })
    return j.build()
  }
  const trunk = options.trunk ?? `${runId}-trunk`
  j.at(2_000).add('change.merged', { branch: 'change/b', commit: `${runId}-change`, trunk })
  j.at(3_000).add('change.deployed', { commit: trunk, dark: true, environment: 'production', ...artifact })
  j.at(20_000).add('alert.fired', {
    alert: 'fast-burn',
    severity: 'page',
    burnRates: { long: 15, short: 20 },
    threshold: 14.4,
    windows: { long: '1h', short: '5m' },
  })
  j.at(25_000).add('recovery.confirmed', { errorRatio: 0, consecutiveEvaluations: 4 })
  j.at(40_000).add('drill.finished', { outcome: 'recovered', durationMs: 40_000 })
  return j.build()
}
