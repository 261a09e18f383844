import { randomBytes, timingSafeEqual } from 'node:crypto'
import { describeEvent } from '../../postmortems/event-description.ts'
import { type Clock, systemClock } from '../../record/clock/clock.ts'
import type { JournalEvent, NewJournalEvent } from '../../record/journal/journal-event.ts'
import type { LoadedScenario } from '../../record/scenario/load-scenario.ts'
import { scoreTraining, type TrainingScore } from '../../record/scoring/training-score.ts'
import { OFF, rolloutChange } from '../../services/flags/flag-state.ts'
import { FlagsHttpError } from '../../services/flags/flags-errors.ts'
import type { AuditEntryView, FlagView } from '../../services/flags/flags-schemas.ts'
import type { DrillJournal } from '../../simulator/drill/drill-journal.ts'
import type { PlanReview } from '../../simulator/drill/drill-options.ts'
import type { Page } from '../../simulator/drill/pager.ts'
import type { CheckResult } from '../../simulator/drill/preflight.ts'
import type { Responder, ResponderContext } from '../../simulator/drill/responders/responder.ts'
import { ConsoleActionError, ConsoleErrorCode } from './console-errors.ts'
import { DrillPause } from './drill-pause.ts'
import { ShopLogs } from './shop-logs.ts'
import type { ShopWatch } from './shop-watch.ts'
import { incidentIsOver, pauseOn, type TraineeView, traineeView } from './trainee-view.ts'

export type Role = 'trainee' | 'facilitator'

/** What the facilitator's page shows: the ground truth, the review, the trainee's view and the live score. */
export interface FacilitatorView {
  facilitator: string
  truth: {
    scenario: string
    title: string
    description: string
    seed: number
    flag: string | null
    fault: string
    expectedMitigation: string
    decoys: { flag: string; to: string; after: string; actor: string }[]
  }
  review: { plan: string; checks: { name: string; ok: boolean; message?: string }[] } | null
  reviewed: { approved: boolean; by: string; reason?: string } | null
  /** The drill's pause, while it is on: who paused it, when, and why. */
  paused: { by: string; since: string; reason?: string } | null
  trainee: TraineeView
  score: TrainingScore | null
  /** The journal's latest events in words, newest last. */
  journal: { seq: number; at: string; type: string; text: string }[]
  over: boolean
}

export interface TrainingSessionOptions {
  loaded: LoadedScenario
  trainee: string
  facilitator?: string
  /** @defaultValue fresh random tokens */
  tokens?: { trainee: string; facilitator: string }
  /** The clock the pause measures on. @defaultValue the system clock */
  clock?: Clock
}

const BUFFERED = new Set(['traffic.interval', 'sli.evaluated', 'sli.sampled'])
/** How many of the shop's latest log lines the trainee's page gets, and how many warnings and errors besides. */
const LOG_LINES = 200
const LOG_WARNINGS = 100

/**
 * One trainee's drill as the console sees it: the two tokens, the responder that answers the page from the
 * browser, the review gate, the abort, and the journal it follows. Every action is checked here and goes
 * through the flag service's API or the drill's journal, credited to the person who took it.
 */
export class TrainingSession {
  readonly loaded: LoadedScenario
  readonly trainee: string
  readonly facilitator: string
  readonly tokens: { trainee: string; facilitator: string }
  readonly abortController = new AbortController()
  #journal: DrillJournal | undefined
  #page: Page | null = null
  #context: ResponderContext | null = null
  #review: { plan: string; checks: readonly CheckResult[]; resolve: (r: PlanReview) => void } | null = null
  #reviewed: PlanReview | null = null
  #flags: { inventory: FlagView[]; audit: AuditEntryView[] } | null = null
  #listeners = new Set<() => void>()
  #pending: NodeJS.Timeout | undefined
  readonly #pause: DrillPause
  /** The shop's logs: the drill tells `shopLogs.add` every line its shop's processes write. */
  readonly shopLogs = new ShopLogs()
  #watch: ShopWatch | null = null

  constructor(options: TrainingSessionOptions) {
    this.#pause = new DrillPause(options.clock ?? systemClock)
    this.loaded = options.loaded
    this.trainee = options.trainee
    this.facilitator = options.facilitator ?? 'facilitator'
    this.tokens = options.tokens ?? {
      trainee: randomBytes(24).toString('base64url'),
      facilitator: randomBytes(24).toString('base64url'),
    }
  }

  /** Which role a token opens, if any (compared in constant time). */
  roleOf(token: string | undefined): Role | null {
    if (token === undefined || token === '') return null
    const same = (a: string, b: string) => {
      const x = Buffer.from(a)
      const y = Buffer.from(b)
      return x.length === y.length && timingSafeEqual(x, y)
    }
    if (same(token, this.tokens.trainee)) return 'trainee'
    if (same(token, this.tokens.facilitator)) return 'facilitator'
    return null
  }

  /** The responder the drill pages: it keeps the page and the drill's context for the browser to act on. */
  responder(): Responder {
    return {
      kind: 'human',
      name: this.trainee,
      respond: async (page: Page, context: ResponderContext) => {
        this.#page = page
        this.#context = context
        context.say(`${this.trainee} paged in the training console`)
        await this.refreshFlags()
      },
    }
  }

  /** The clock the drill runs its release on: the facilitator's pause holds it. */
  get releaseClock(): Clock {
    return this.#pause.clock
  }

  /** Shows what the watch reads of the shop (provider status, queue depth) until the incident is over. */
  watchShop(watch: ShopWatch): void {
    this.#watch = watch
    if (this.over) void watch.stop()
  }

  /** Follows the drill's journal from its opening. */
  attach(journal: DrillJournal): void {
    this.#journal = journal
    // High-volume events (traffic intervals, SLI samples) redraw the dashboards at most once a second.
    journal.onEvent((event) => {
      // The shop is being put back: nothing more to read, and its keys are about to go.
      if (this.#watch !== null && incidentIsOver([event])) void this.#watch.stop()
      if (event.type === 'decoy.applied' || event.type === 'flag.changed') void this.refreshFlags()
      this.#changed(BUFFERED.has(event.type) ? 1000 : 0)
    })
  }

  /** The drill's review gate: resolves when the facilitator approves or refuses. */
  review(plan: { text: string; checks: readonly CheckResult[] }): Promise<PlanReview> {
    return new Promise((resolve) => {
      this.#review = { plan: plan.text, checks: plan.checks, resolve }
      this.#changed(0)
    })
  }

  get events(): readonly JournalEvent[] {
    return this.#journal?.events ?? []
  }

  get over(): boolean {
    return incidentIsOver(this.events)
  }

  /** Called on every change worth showing (throttled for high-volume events). */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  traineeView(): TraineeView {
    return traineeView({
      trainee: this.trainee,
      events: this.events,
      page: this.#page,
      flags: this.#flags,
      objective: this.loaded.scenario.slo.objective,
      shop: {
        provider: this.#watch?.provider() ?? null,
        logs: this.shopLogs.recent(LOG_LINES, LOG_WARNINGS),
        queue: this.#watch?.queue() ?? { t: [], depth: [] },
      },
    })
  }

  facilitatorView(): FacilitatorView {
    const s = this.loaded.scenario
    return {
      facilitator: this.facilitator,
      truth: {
        scenario: this.loaded.name,
        title: s.title,
        description: s.description ?? '',
        seed: this.events.find((e) => e.type === 'drill.started')?.data.seed ?? s.seed,
        flag: s.change.flag ?? null,
        fault: s.change.fault.kind,
        // A change behind a flag is mitigated by turning the flag off; one without, by rolling production back.
        expectedMitigation:
          s.change.flag === undefined
            ? 'roll production back to the artifact before the change'
            : `turn ${s.change.flag} off`,
        decoys: s.decoys.map((d) => ({ flag: d.flag, to: d.to, after: d.after, actor: d.actor })),
      },
      review:
        this.#review === null
          ? null
          : {
              plan: this.#review.plan,
              checks: this.#review.checks.map((c) => ({
                name: c.name,
                ok: c.ok,
                ...(c.message === undefined ? {} : { message: c.message }),
              })),
            },
      reviewed: this.#reviewed,
      paused: ((p) =>
        p === null
          ? null
          : {
              by: p.data.by,
              since: p.at,
              ...(p.data.reason === undefined ? {} : { reason: p.data.reason }),
            })(pauseOn(this.events)),
      trainee: this.traineeView(),
      score: scoreTraining(this.events, s),
      journal: this.events
        .filter((e) => !BUFFERED.has(e.type))
        .slice(-40)
        .map((e) => ({ seq: e.seq, at: e.at, type: e.type, text: describeEvent(e) })),
      over: this.over,
    }
  }

  async acknowledge(): Promise<void> {
    const context = this.#pagedContext('acknowledge')
    await context.acknowledge(this.trainee)
  }

  /** Turns a flag on or off through the flag service, as the trainee, and journals it. */
  async setFlag(key: string, turn: 'on' | 'off', reason: string): Promise<void> {
    const context = this.#pagedContext(`turn ${key} ${turn}`)
    const { flags } = await context.flags.list()
    const before = flags.find((f) => f.key === key)
    if (before === undefined)
      throw new ConsoleActionError(
        ConsoleErrorCode.CONSOLE_UNKNOWN_FLAG,
        `There is no flag "${key}". The flags are: ${flags.map((f) => f.key).join(', ')}.`,
        404,
      )
    let to: string
    try {
      const answer = await context.flags.set(
        key,
        turn === 'off' ? OFF : rolloutChange(100),
        reason,
        this.trainee,
      )
      to = answer.definition.summary
    } catch (err) {
      if (err instanceof FlagsHttpError)
        throw new ConsoleActionError(
          ConsoleErrorCode.CONSOLE_FLAGS_REFUSED,
          `The flag service refused to turn ${key} ${turn}: ${err.message}`,
          502,
        )
      throw err
    }
    await this.#append({
      type: 'responder.flag-set',
      data: { by: this.trainee, flag: key, turned: turn, from: before.summary, to, reason },
    })
    await this.refreshFlags()
  }

  /**
   * Asks for production to go back to the artifact before its latest deploy, through the drill's deploys API,
   * as the trainee (the API journals `rollback.requested` with the trainee's name and reason).
   */
  async rollback(reason: string): Promise<{ from: string; to: string }> {
    const context = this.#pagedContext('roll production back')
    try {
      return await context.deploys.rollback(reason, this.trainee)
    } catch (err) {
      const status = (err as { status?: number | null }).status
      throw new ConsoleActionError(
        ConsoleErrorCode.CONSOLE_ROLLBACK_REFUSED,
        `Production was not rolled back: ${(err as Error).message}`,
        typeof status === 'number' && status >= 400 && status < 500 ? 409 : 502,
      )
    }
  }

  /**
   * Pauses or resumes production's fulfilment queue through the drill's queue control, as the trainee (the
   * control journals `queue.paused` / `queue.resumed` with the trainee's name and reason).
   */
  async moveQueue(move: 'pause' | 'resume', reason: string): Promise<void> {
    const context = this.#pagedContext(`${move} the fulfilment queue`)
    if (context.queue === undefined)
      throw new ConsoleActionError(
        ConsoleErrorCode.CONSOLE_QUEUE_REFUSED,
        'This drill has no fulfilment queue of ours to pause.',
        409,
      )
    try {
      await context.queue[move](reason, this.trainee)
    } catch (err) {
      const status = (err as { status?: number | null }).status
      throw new ConsoleActionError(
        ConsoleErrorCode.CONSOLE_QUEUE_REFUSED,
        `The fulfilment queue was not ${move}d: ${(err as Error).message}`,
        typeof status === 'number' && status >= 400 && status < 500 ? 409 : 502,
      )
    }
  }

  async postStatus(text: string): Promise<void> {
    await this.#append({ type: 'status.posted', data: { by: this.trainee, text } })
  }

  async giveHint(text: string): Promise<void> {
    await this.#append({ type: 'hint.given', data: { by: this.facilitator, text } })
  }

  /** The facilitator's verdict on the plan; refused needs a reason. */
  decide(approved: boolean, reason: string | undefined): void {
    if (this.#review === null || this.#reviewed !== null)
      throw new ConsoleActionError(
        ConsoleErrorCode.CONSOLE_NOT_YET,
        this.#reviewed !== null
          ? `The plan was already ${this.#reviewed.approved ? 'approved' : 'refused'}.`
          : 'There is no plan to review yet: the preflight checks are still running.',
        409,
      )
    if (!approved && (reason === undefined || reason.trim() === ''))
      throw new ConsoleActionError(
        ConsoleErrorCode.CONSOLE_INVALID,
        'reason is required to refuse the plan: say why, so the journal keeps it.',
        400,
      )
    this.#reviewed = { approved, by: this.facilitator, ...(reason === undefined ? {} : { reason }) }
    this.#review.resolve(this.#reviewed)
    this.#changed(0)
  }

  /**
   * Holds the drill's clock-driven progress (the release stays where it is) until `resume`; traffic, detection
   * and paging go on. Journalled with the facilitator's name and reason.
   */
  async pause(reason: string | undefined): Promise<void> {
    if (this.#reviewed?.approved !== true)
      throw new ConsoleActionError(
        ConsoleErrorCode.CONSOLE_NOT_YET,
        'Nothing runs yet to pause: the drill starts once you approve the plan.',
        409,
      )
    if (this.#pause.paused)
      throw new ConsoleActionError(ConsoleErrorCode.CONSOLE_PAUSED, 'The drill is already paused.', 409)
    const words = reason?.trim()
    await this.#append({
      type: 'drill.paused',
      data: { by: this.facilitator, ...(words ? { reason: words } : {}) },
    })
    this.#pause.pause()
  }

  /** Lets the drill's progress go on from where the pause held it; journalled with how long it was held. */
  async resume(): Promise<void> {
    if (!this.#pause.paused)
      throw new ConsoleActionError(ConsoleErrorCode.CONSOLE_NOT_PAUSED, 'The drill is not paused.', 409)
    const pausedMs = this.#pause.resume()
    // A drill that ended while paused has nothing left to resume: the clock is let go, the journal is closed.
    if (!this.over)
      await this.#journal?.append({ type: 'drill.resumed', data: { by: this.facilitator, pausedMs } })
  }

  /** Aborts the drill as Ctrl-C does, with the facilitator's words as its reason. */
  abort(reason: string | undefined): void {
    if (this.over)
      throw new ConsoleActionError(ConsoleErrorCode.CONSOLE_DRILL_OVER, 'The drill is already over.', 409)
    const words = reason?.trim() ? reason.trim() : 'no reason given'
    this.abortController.abort(`aborted by ${this.facilitator} from the facilitator page: ${words}`)
  }

  /** Reads the flag inventory and audit log again, as the trainee sees them. */
  async refreshFlags(): Promise<void> {
    const context = this.#context
    if (context === null) return
    try {
      const [{ flags }, audit] = await Promise.all([context.flags.list(), context.flags.audit(50)])
      this.#flags = { inventory: flags, audit }
      this.#changed(0)
    } catch {
      // The shop is gone (the drill ended): the last inventory read stays on the page.
    }
  }

  close(): void {
    void this.#watch?.stop()
    clearTimeout(this.#pending)
    this.#listeners.clear()
  }

  #pagedContext(action: string): ResponderContext {
    if (this.over)
      throw new ConsoleActionError(
        ConsoleErrorCode.CONSOLE_DRILL_OVER,
        `Cannot ${action}: the drill is over.`,
        409,
      )
    if (this.#context === null)
      throw new ConsoleActionError(
        ConsoleErrorCode.CONSOLE_NOT_YET,
        `Cannot ${action} yet: nothing has paged you. Wait for the page.`,
        409,
      )
    return this.#context
  }

  async #append(event: NewJournalEvent): Promise<void> {
    if (this.#journal === undefined)
      throw new ConsoleActionError(ConsoleErrorCode.CONSOLE_NOT_YET, 'The drill has not started yet.', 409)
    if (this.over)
      throw new ConsoleActionError(ConsoleErrorCode.CONSOLE_DRILL_OVER, 'The drill is over.', 409)
    await this.#journal.append(event)
  }

  #changed(delayMs: number): void {
    if (this.#pending !== undefined && delayMs > 0) return
    clearTimeout(this.#pending)
    this.#pending = setTimeout(() => {
      this.#pending = undefined
      for (const listener of this.#listeners) listener()
    }, delayMs)
    this.#pending.unref()
  }
}
