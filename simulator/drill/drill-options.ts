import type { Clock } from '../../record/clock/clock.ts'
import type { LoadedScenario } from '../../record/scenario/load-scenario.ts'
import type { PageDestinations } from '../detection/page-destinations.ts'
import type { HumanResponderOptions } from './responders/human-responder.ts'

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
  /** Aborting it (Ctrl-C) aborts the drill: flags back to safe, faults cleared, traffic stopped. */
  signal?: AbortSignal
  /** One line of progress at a time (stderr in the command line). @defaultValue none */
  progress?: (line: string) => void
  /**
   * After a recovered drill, close the loop: merge the scenario's fix through the gate, verify the action
   * items and replay the bad change; then close out the release flag. @defaultValue true
   */
  followUp?: boolean
  /** How a human responder is paged and acknowledges. */
  human?: HumanResponderOptions
  /**
   * Where pages also go, marked as a drill (PagerDuty Events v2, webhooks).
   * @defaultValue read from the environment (pageDestinationsFromEnv)
   */
  pageDestinations?: PageDestinations
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
