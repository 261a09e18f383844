import type { JournalEvent, JournalEventData, JournalEventType } from './journal-event.ts'

/**
 * Builds journals by hand, for tests and examples: `new JournalBuilder(start).at(5_000).add('release.step', {...})`.
 * Times are ms after `start`; `seq` follows the order of `add` calls.
 */
export class JournalBuilder {
  readonly #start: number
  #offsetMs = 0
  readonly #events: JournalEvent[] = []

  constructor(start = Date.UTC(2026, 0, 1, 12)) {
    this.#start = start
  }

  /** Moves the builder's time to `offsetMs` after the start. */
  at(offsetMs: number): this {
    this.#offsetMs = offsetMs
    return this
  }

  add<T extends JournalEventType>(type: T, data: JournalEventData[T]): this {
    this.#events.push({
      seq: this.#events.length + 1,
      type,
      at: this.iso(this.#offsetMs),
      data,
    } as JournalEvent)
    return this
  }

  /**
   * Adds `drill.started` for `runId` with plain defaults (scenario bad-pricing, seed 1, time scale 1, a 99 % SLO
   * over 30d, flag `f`, a bot responder); `data` overrides any of them.
   */
  started(runId: string, data: Partial<JournalEventData['drill.started']> = {}): this {
    return this.add('drill.started', {
      runId,
      scenario: 'bad-pricing',
      title: 't',
      seed: 1,
      timeScale: 1,
      slo: { objective: 0.99, window: '30d' },
      flag: 'f',
      responder: 'bot',
      ...data,
    })
  }

  /** The ISO time `offsetMs` after the start. */
  iso(offsetMs: number): string {
    return new Date(this.#start + offsetMs).toISOString()
  }

  build(): JournalEvent[] {
    return [...this.#events]
  }
}
