import type { DrillPhase } from '../../record/journal/journal-event.ts'
import type { DrillJournal } from './drill-journal.ts'
import { DrillAborted, type DrillRunControl } from './drill-run-control.ts'
import type { CheckResult } from './preflight.ts'

/** A check on a phase's way in or out: its result, journalled; null when it does not apply to this drill. */
export type PhaseCheck<C> = (drill: C) => Promise<CheckResult | null>

/** One row of a drill's table of phases. */
export interface DrillPhaseStep<C> {
  /**
   * The phase the row runs in, entered (journalled and said) when the row's turn comes. Without one, the row goes
   * on in the phase the drill is in (what a phase leaves in place for the next one).
   */
  name?: DrillPhase
  /** Whether the row runs at all, asked when its turn comes. @defaultValue it runs */
  when?(drill: C): boolean
  /**
   * Runs whatever happened before it: once a row has failed, only these rows run, and what they throw is the
   * caller's. Their phase is entered as best the journal allows. @defaultValue false
   */
  always?: boolean
  /** Checked in order once the phase is entered; the first that fails aborts the drill before the body runs. */
  entry?: readonly PhaseCheck<C>[]
  run(drill: C): Promise<unknown>
  /** Checked in order after the body; the first that fails aborts the drill. */
  exit?: readonly PhaseCheck<C>[]
}

/** What the runner needs of a drill: its run control (phases, the one way to stop) and its journal. */
export interface PhaseRunnerContext {
  readonly run: DrillRunControl
  readonly journal: DrillJournal
}

/** Journals a check's result: `check.passed`, or `check.failed` with its message (by default, that it did not hold). */
export function journalCheck(journal: DrillJournal, check: CheckResult): Promise<unknown> {
  const { name, evidence } = check
  return journal.append(
    check.ok
      ? { type: 'check.passed', data: { name, evidence } }
      : { type: 'check.failed', data: { name, evidence, message: check.message ?? `${name} did not hold` } },
  )
}

async function holds<C extends PhaseRunnerContext>(
  drill: C,
  which: 'entry' | 'exit',
  checks: readonly PhaseCheck<C>[] | undefined,
): Promise<void> {
  for (const check of checks ?? []) {
    const result = await check(drill)
    if (result === null) continue
    await journalCheck(drill.journal, result)
    if (!result.ok) throw new DrillAborted(`${which} check failed: ${result.name}`, 'error')
  }
}

/**
 * Runs a drill's table of phases in order: each row's phase entered, its entry checks, its body, its exit checks.
 * A check that fails, or a body that throws (a stop condition's abort, a failure of the drill's machinery), stops
 * the drill (`stop`: journalled at once) and skips every later row but those marked `always` (cleanup). An abort
 * decided while a body waits reaches it through the run's signal, so the body throws and the same happens.
 */
export async function runPhases<C extends PhaseRunnerContext>(
  table: readonly DrillPhaseStep<C>[],
  drill: C,
): Promise<void> {
  const { run } = drill
  let failed = false
  for (const step of table) {
    if (failed && step.always !== true) continue
    if (step.when !== undefined && !step.when(drill)) continue
    const enter = async () => {
      if (step.name !== undefined) await run.enter(step.name)
    }
    const body = async () => {
      await holds(drill, 'entry', step.entry)
      await step.run(drill)
      await holds(drill, 'exit', step.exit)
    }
    if (step.always === true) {
      await enter().catch(() => {})
      await body()
      continue
    }
    try {
      await enter()
      await body()
    } catch (err) {
      failed = true
      // An exit check or steady state that fails aborts the drill like a stop condition; anything else is a
      // failure of the drill's own machinery, which aborts it too (and says so).
      if (err instanceof DrillAborted) run.stop(err.reason, err.condition)
      else run.stop(`drill failed: ${(err as Error).message}`, 'error')
    }
  }
}
