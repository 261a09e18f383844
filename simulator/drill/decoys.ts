import type { Clock } from '../../record/clock/clock.ts'
import type { ValidScenario } from '../../record/scenario/parse-scenario.ts'
import { OFF } from '../../services/flags/flag-state.ts'
import type { FlagsHttpClient } from '../../services/flags/flags-http-client.ts'
import type { DrillJournal } from './drill-journal.ts'

export interface DecoyOptions {
  decoys: ValidScenario['decoys']
  flags: FlagsHttpClient
  journal: DrillJournal
  clock: Clock
  say(line: string): void
  /** Failures that are not a cancellation end the drill like any machinery failure. */
  track(task: Promise<unknown>): void
}

export interface Decoys {
  /** Starts the decoys that count from `moment` (each once). */
  start(moment: 'release' | 'page'): void
  /** Cancels those not yet made: the drill is over. */
  cancel(): void
}

/**
 * The scenario's decoys: harmless flag changes, each made through the flag service by its own actor a set time
 * after the release starts or after the page, and journalled as `decoy.applied`. The drill puts them back like
 * everything else under its prefix.
 */
export function scheduleDecoys(options: DecoyOptions): Decoys {
  const cancelled = new AbortController()
  const started = new Set<string>()
  const make = async (decoy: ValidScenario['decoys'][number]) => {
    try {
      await options.clock.sleep(decoy.seconds * 1000, cancelled.signal)
    } catch {
      return // the drill ended first
    }
    const before = (await options.flags.list()).flags.find((f) => f.key === decoy.flag)
    const change = decoy.to === 'on' ? { defaultVariant: 'on', targeting: null } : OFF
    const answer = await options.flags.set(decoy.flag, change, decoy.reason, decoy.actor)
    await options.journal.append({
      type: 'decoy.applied',
      data: {
        flag: decoy.flag,
        from: before?.summary ?? null,
        to: answer.definition.summary,
        actor: decoy.actor,
        reason: decoy.reason,
      },
    })
    options.say(`${decoy.actor} turned ${decoy.flag} ${decoy.to} (${decoy.reason})`)
  }
  return {
    start(moment) {
      if (started.has(moment) || cancelled.signal.aborted) return
      started.add(moment)
      for (const decoy of options.decoys) if (decoy.after === moment) options.track(make(decoy))
    },
    cancel: () => cancelled.abort(),
  }
}
