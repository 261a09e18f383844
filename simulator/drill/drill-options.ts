import type { Clock } from '../../record/clock/clock.ts'
import type { LoadedScenario } from '../../record/scenario/load-scenario.ts'
import type { PageDestinations } from '../detection/page-destinations.ts'
import type { DrillJournal } from './drill-journal.ts'
import type { CheckResult } from './preflight.ts'
import type { HumanResponderOptions } from './responders/human-responder.ts'
import type { Responder } from './responders/responder.ts'

export interface RunDrillOptions {
  loaded: LoadedScenario
  redisUrl: string
  /**
   * A previous run's directory: repeat its workload on its fixed trunk (its sandbox repository, fix merged). The
   * bad change is expected to be refused at the gate; the release then runs on code without it.
   */
  again?: string
  /** Overrides the scenario's seed. */
  seed?: number
  /** Overrides the scenario's responder. */
  responder?: 'bot' | 'human'
  /** Where the run's files go. @defaultValue `.firedrill/runs/<run-id>/` under the working directory */
  outDir?: string
  /** @defaultValue the system clock */
  clock?: Clock
  /**
   * The clock the release runs its steps and holds on (the training console's pause holds it); traffic,
   * detection and paging stay on `clock`, as a live system does. @defaultValue `clock`
   */
  releaseClock?: Clock
  /** Aborting it (Ctrl-C) aborts the drill: flags back to safe, faults cleared, traffic stopped. */
  signal?: AbortSignal
  /** One line of progress at a time (stderr in the command line). @defaultValue none */
  progress?: (line: string) => void
  /**
   * After a recovered drill, close the loop: merge the scenario's fix through the gate, verify the action
   * items and replay the bad change; then close out the release flag. @defaultValue true
   */
  followUp?: boolean
  /**
   * A responder of the caller's own (the training console's trainee): it answers the page instead of the bot or
   * the terminal trainee, and the journal names its kind. @defaultValue as `responder` says
   */
  respondWith?: Responder
  /**
   * A person's review of the plan and preflight once the checks pass and before anything changes (the
   * facilitator's approval). The verdict is journalled (`plan.reviewed`); a refusal ends the drill there,
   * aborted with its reason and nothing changed. @defaultValue none: the drill goes ahead
   */
  review?: (
    plan: { text: string; checks: readonly CheckResult[] },
    signal: AbortSignal,
  ) => Promise<PlanReview>
  /**
   * Told of the run as soon as its journal is open (before `drill.started`): the training console follows the
   * drill's events and journals its people's actions through it; `prefix` is the run's Redis key prefix, under
   * which the shop under drill keeps its keys and queues. @defaultValue none
   */
  onOpened?: (run: { runId: string; outDir: string; journal: DrillJournal; prefix: string }) => void
  /**
   * Where people watching the drill see it (the training console): the alerts' `externalURL`, so each page's
   * `runbook_url` (`<consoleUrl>/runbooks/<slo>`) resolves there. @defaultValue the flag service's URL
   */
  consoleUrl?: string
  /**
   * Told every structured log line (pino's JSON) production's processes write, at level info (the training
   * console shows them). @defaultValue none: each process keeps its last lines, at level warn, for its errors
   */
  shopLogLines?: (line: string) => void
  /** How a human responder is paged and acknowledges. */
  human?: HumanResponderOptions
  /**
   * Where pages also go, marked as a drill (PagerDuty Events v2, webhooks).
   * @defaultValue read from the environment (pageDestinationsFromEnv)
   */
  pageDestinations?: PageDestinations
}

/** A reviewer's verdict on the drill's plan. */
export interface PlanReview {
  approved: boolean
  by: string
  /** Why it was refused (required in words when `approved` is false). */
  reason?: string
}

export interface DrillOutcome {
  runId: string
  outDir: string
  journal: string
  status: 'recovered' | 'aborted' | 'not-recovered' | 'prevented'
  /** The fix merged through the gate, every action item holds, and the replayed bad change is blocked. */
  loopClosed: boolean
  /** The release flag completed, its code path removed through the gate, and archived on trunk. */
  flagClosedOut: boolean
  abortReason?: string
}
