import type { Clock } from '../../../record/clock/clock.ts'
import type { FlagsHttpClient } from '../../../services/flags/flags-http-client.ts'
import type { Page } from '../pager.ts'
import type { Diagnosis, SeenDeploy } from './diagnose.ts'

export interface ResponderContext {
  /** The flag service, with a token: what an on-call engineer can reach. */
  flags: FlagsHttpClient
  flagsUrl: string
  token: string
  /** Production's deploys: the history an on-call engineer reads, and the rollback they can ask for. */
  deploys: {
    history(): SeenDeploy[]
    /** Rolls production back to what it ran before its latest deploy. */
    rollback(by: string, reason: string): Promise<unknown>
  }
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
