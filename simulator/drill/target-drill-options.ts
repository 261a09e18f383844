import type { Clock } from '../../record/clock/clock.ts'
import type { LoadedScenario } from '../../record/scenario/load-scenario.ts'
import type { LoadedTarget } from '../../record/target/load-target.ts'
import type { PageDestinations } from '../detection/page-destinations.ts'
import type { HumanResponderOptions } from './responders/human-responder.ts'
import type { TargetLoopOptions } from './target-follow-up.ts'

export interface RunTargetDrillOptions {
  target: LoadedTarget
  /** A target's scenario (`service.kind: target`): the SLOs, rules, canary steps, stop conditions. */
  loaded: LoadedScenario
  clock?: Clock
  seed?: number
  outDir?: string
  signal?: AbortSignal
  progress?(line: string): void
  /** Tokens for the flag source, and the page destinations. @defaultValue process.env */
  env?: NodeJS.ProcessEnv
  pageDestinations?: PageDestinations
  /** The dead man's switch on the target's flag. @defaultValue TTL 5 s, heartbeat 1 s */
  lease?: { ttlMs: number; heartbeatMs: number }
  /**
   * Who answers the page: the bot (it turns the flag off), or the team's on-call engineer, who is shown the page
   * and the flag's source and mitigates with the team's own tools. @defaultValue the scenario's responder.kind
   */
  responder?: 'bot' | 'human'
  /** Where a human responder's page is shown, and where Enter acknowledges it. */
  human?: Pick<HumanResponderOptions, 'out' | 'input'>
  /** How the loop on the target's repository (`repo`) writes there. @defaultValue only the fix's branch */
  loop?: TargetLoopOptions
}
