import type { JournalEvent, NewJournalEvent } from '../../record/journal/journal-event.ts'
import type { JournalWriter } from '../../record/journal/journal-writer.ts'

/**
 * The drill's view of its journal: appends through the writer, keeps what was appended (the orchestrator
 * derives its live figures from the same events the report will), and tells listeners (progress output).
 */
export class DrillJournal {
  readonly events: JournalEvent[] = []
  readonly #writer: JournalWriter
  readonly #listeners: Array<(event: JournalEvent) => void> = []

  constructor(writer: JournalWriter) {
    this.#writer = writer
  }

  get file(): string {
    return this.#writer.file
  }

  onEvent(listener: (event: JournalEvent) => void): void {
    this.#listeners.push(listener)
  }

  async append(event: NewJournalEvent): Promise<JournalEvent> {
    const written = await this.#writer.append(event)
    this.events.push(written)
    for (const listener of this.#listeners) listener(written)
    return written
  }

  has(type: JournalEvent['type']): boolean {
    return this.events.some((e) => e.type === type)
  }

  close(): Promise<void> {
    return this.#writer.close()
  }
}
