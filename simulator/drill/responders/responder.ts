import type { Clock } from '../../../record/clock/clock.ts'
import type { FlagsHttpClient } from '../../../services/flags/flags-http-client.ts'
import type { DeploysHttpClient } from '../deploys-api.ts'
import type { FulfilmentQueueHttpClient } from '../fulfilment-queue-api.ts'
import type { Page } from '../pager.ts'
import type { Diagnosis, SeenProviderStatus } from './diagnose.ts'
import type { WorkerCounters } from './worker-dashboard.ts'

export interface ResponderContext {
  /** The flag service, with a token: what an on-call engineer can reach. */
  flags: FlagsHttpClient
  flagsUrl: string
  token: string
  /**
   * Production's deploys, through the drill's deploys API (as a person reaches them): what production runs and
   * its history, and the rollback they can ask for.
   */
  deploys: Pick<DeploysHttpClient, 'list' | 'rollback'>
  /** The payment provider's public status page, as anyone can read it; null when there is none to read. */
  provider(): Promise<SeenProviderStatus | null>
  /**
   * The fulfilment workers' dashboard: their counters summed (provider calls, 429s, retries, orders paid, the
   * queue's depth); null where the drill has no workers of ours (a target). @defaultValue none
   */
  workers?(): Promise<WorkerCounters | null>
  /** The deploys API's URL (its token is `token`). */
  deploysUrl: string
  /**
   * Production's fulfilment queue, beside the deploys API (same URL and token): paused or not, and the pause and
   * resume a person can ask for. Absent where the drill has no queue of ours (a target).
   */
  queue?: Pick<FulfilmentQueueHttpClient, 'status' | 'pause' | 'resume'>
  clock: Clock
  signal: AbortSignal
  /** Records the acknowledgement in the journal. */
  acknowledge(by: string): Promise<void>
  /** Records what the responder saw and concluded, before it acts. */
  diagnosed(by: string, diagnosis: Diagnosis): Promise<void>
  /** A line of progress for the person watching the drill. */
  say(line: string): void
}

/**
 * Whoever answers the page. The drill observes the mitigation itself (the flag going off), whoever applies it,
 * so a bot and a human trainee are timed by the same rule.
 */
export interface Responder {
  readonly kind: 'bot' | 'human'
  readonly name: string
  respond(page: Page, context: ResponderContext): Promise<void>
}
