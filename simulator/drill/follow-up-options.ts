import type { SandboxRepo } from '../../gate/sandbox/sandbox-repo.ts'
import type { Clock } from '../../record/clock/clock.ts'
import type { LoadedScenario } from '../../record/scenario/load-scenario.ts'
import type { DrillJournal } from './drill-journal.ts'

/** What each step of a drill's follow-up works with: the scenario, the run's repository and journal. */
export interface FollowUpOptions {
  loaded: LoadedScenario
  repo: SandboxRepo
  journal: DrillJournal
  /** The run's directory (the interim postmortem is written there for the verifier). */
  outDir: string
  /** The Redis the gate's contract tests use. @defaultValue the one the gate finds (REDIS_URL, a local one, …) */
  redisUrl?: string
  /**
   * The fix to commit, when it is not the scenario's `followUp.fix`: a patch, and where it came from (a line of
   * the commit message). @defaultValue the scenario's `followUp.fix`
   */
  fix?: { patch: string; from?: string }
  clock: Clock
  say(line: string): void
}
