import type { Clock } from '../../record/clock/clock.ts'
import type { AbortCondition, DrillPhase } from '../../record/journal/journal-event.ts'
import type { ValidScenario } from '../../record/scenario/parse-scenario.ts'
import { createRecoveryWatch } from '../detection/recovery-watch.ts'
import type { SliSeriesSource } from '../detection/sli-sample.ts'
import type { DrillJournal } from './drill-journal.ts'
import { sliceSeries, steadyStateOf } from './steady-state.ts'

/** Why a drill stops early: the words journalled and said, and the condition. */
export class DrillAborted extends Error {
  constructor(
    readonly reason: string,
    readonly condition: AbortCondition,
  ) {
    super(reason)
  }
}

export interface DrillRunControl {
  /** Aborts every wait of the drill once it is stopped. */
  readonly signal: AbortSignal
  /** Stops the drill (the first call wins): journals `drill.aborted` at once and aborts `signal`. */
  stop(reason: string, condition: AbortCondition): void
  /** The abort, once decided. */
  aborted(): DrillAborted | undefined
  /** Resolves when the abort's journal entry is on disk (at once when there is none). */
  abortJournalled(): Promise<unknown>
  /** Enters a phase: journalled and said. */
  enter(phase: DrillPhase): Promise<void>
  phase(): DrillPhase
  /** Stops listening to the caller's signal. */
  dispose(): void
}

export interface DrillRunControlOptions {
  journal: DrillJournal
  say(line: string): void
  /** The caller's interrupt (Ctrl-C, the facilitator's abort): a string reason is journalled as given. */
  signal?: AbortSignal | undefined
  /** What an interrupt without words of its own is journalled as. */
  interrupted: string
  /** Restates a stop before it is journalled (a Redis failure said as such). @defaultValue as given */
  classify?(reason: string, condition: AbortCondition): { reason: string; condition: AbortCondition }
}

/**
 * The drill's run state every phase shares: its phase, and the one way it stops early. A stop is journalled the
 * moment it is decided, so a drill killed during cleanup still says why it ended.
 */
export function createDrillRunControl(options: DrillRunControlOptions): DrillRunControl {
  const { journal, say } = options
  const controller = new AbortController()
  let abort: DrillAborted | undefined
  let journalled: Promise<unknown> = Promise.resolve()
  let phase: DrillPhase = 'preflight'
  const stop = (given: string, condition: AbortCondition) => {
    if (abort !== undefined) return
    const stated = options.classify?.(given, condition) ?? { reason: given, condition }
    abort = new DrillAborted(stated.reason, stated.condition)
    journalled = journal.append({ type: 'drill.aborted', data: stated }).catch(() => {})
    say(`ABORTING: ${stated.reason}`)
    controller.abort(abort)
  }
  const onSignal = () =>
    stop(typeof options.signal?.reason === 'string' ? options.signal.reason : options.interrupted, 'signal')
  if (options.signal?.aborted) onSignal()
  options.signal?.addEventListener('abort', onSignal, { once: true })
  return {
    signal: controller.signal,
    stop,
    aborted: () => abort,
    abortJournalled: () => journalled,
    async enter(next) {
      phase = next
      await journal.append({ type: 'phase.entered', data: { phase } })
      say(phase)
    },
    phase: () => phase,
    dispose: () => options.signal?.removeEventListener('abort', onSignal),
  }
}

/**
 * The steady-state hypothesis over `durationSeconds` of the drill's traffic, measured on the SLI series after one
 * more scrape, journalled and said. Resolves with the verdict; a `before` that does not hold is a `DrillAborted`.
 */
export async function checkSteadyState(options: {
  when: 'before' | 'after'
  scenario: ValidScenario
  clock: Clock
  signal: AbortSignal
  scraper: SliSeriesSource & { scrapeOnce(): Promise<unknown> }
  journal: DrillJournal
  say(line: string): void
}): Promise<boolean> {
  const { when, scenario, clock, journal } = options
  const from = clock.now()
  await clock.sleep(scenario.steadyState.durationSeconds * 1000, options.signal)
  await options.scraper.scrapeOnce()
  const { requests, failures } = sliceSeries(options.scraper.series(), from, clock.now())
  const result = steadyStateOf(requests, failures, scenario.steadyState)
  await journal.append({ type: 'steady-state.checked', data: { when, ...result } })
  options.say(
    `steady state ${when}: ${result.ok ? 'holds' : 'does NOT hold'} (${failures}/${requests} failed, limit ${(scenario.steadyState.maxErrorRatio * 100).toFixed(2)}%)`,
  )
  if (!result.ok && when === 'before')
    throw new DrillAborted('the steady state did not hold before the release', 'error')
  return result.ok
}

/**
 * Recovery, judged once the mitigation is in: the paging rule's short window burning under 1× for the scenario's
 * consecutive evaluations, journalled as `recovery.confirmed`.
 */
export function trackRecovery(options: {
  scenario: ValidScenario
  journal: DrillJournal
  track(task: Promise<unknown>): void
}): {
  /** The mitigation is in: evaluations count from now. */
  mitigated(): void
  /** One evaluation (at `at`) of the page rule's short window. */
  observe(at: number, short: { errorRatio: number | null; burnRate: number | null }): void
  recovered: Promise<void>
} {
  const watch = createRecoveryWatch({
    threshold: 1,
    consecutive: options.scenario.recovery.consecutiveEvaluations,
  })
  let counting = false
  let resolve: () => void = () => {}
  const recovered = new Promise<void>((r) => {
    resolve = r
  })
  return {
    mitigated: () => {
      counting = true
    },
    observe(at, short) {
      if (!counting || watch.state().recovered) return
      const state = watch.observe(short.burnRate, at)
      if (!state.recovered) return
      options.track(
        options.journal
          .append({
            type: 'recovery.confirmed',
            data: { errorRatio: short.errorRatio ?? 0, consecutiveEvaluations: state.streak },
          })
          .then(() => resolve()),
      )
    },
    recovered,
  }
}
