import type { FileHandle } from 'node:fs/promises'
import { mkdir, open, readFile, truncate } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Clock } from '../clock/clock.ts'
import { JournalClosedError, JournalExistsError, JournalWriteFailedError } from '../errors.ts'
import { BUFFERED_EVENT_TYPES, type JournalEvent, type NewJournalEvent } from './journal-event.ts'

export interface JournalWriterOptions {
  /** Stamps every event's `at`. */
  clock: Clock
  /** Longest wall-clock wait before buffered events reach the file. @defaultValue 250 */
  flushIntervalMs?: number
}

/**
 * The run's append-only journal. `append` numbers and stamps an event; key events (all but the
 * high-volume `traffic.interval` and `sli.evaluated`) are on disk, fsynced, before it resolves, together
 * with any buffered events before them, so the file is always in `seq` order. Buffered events are written
 * within `flushIntervalMs` and on `close`. The file is created exclusively: one writer per journal.
 */
export class JournalWriter {
  readonly file: string
  readonly #handle: FileHandle
  readonly #clock: Clock
  readonly #flushIntervalMs: number
  #seq = 0
  #pending: string[] = []
  #timer: NodeJS.Timeout | undefined
  #queue: Promise<void> = Promise.resolve()
  #failure: Error | undefined
  #closing: Promise<void> | undefined

  private constructor(file: string, handle: FileHandle, options: JournalWriterOptions) {
    this.file = file
    this.#handle = handle
    this.#clock = options.clock
    this.#flushIntervalMs = options.flushIntervalMs ?? 250
  }

  /** Creates `file` (and its folder); refuses with `FIREDRILL_JOURNAL_EXISTS` if it is already there. */
  static async create(file: string, options: JournalWriterOptions): Promise<JournalWriter> {
    await mkdir(dirname(file), { recursive: true })
    let handle: FileHandle
    try {
      handle = await open(file, 'ax')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new JournalExistsError(file, err)
      throw new JournalWriteFailedError(file, err)
    }
    return new JournalWriter(file, handle, options)
  }

  /**
   * Opens an existing journal to append to it (a crashed run's, to close it): numbering goes on from its last
   * event, and a last line the crash cut off is dropped first, since it was never whole.
   */
  static async resume(file: string, options: JournalWriterOptions): Promise<JournalWriter> {
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (err) {
      throw new JournalWriteFailedError(file, err)
    }
    const whole = text.endsWith('\n') || text === '' ? text : text.slice(0, text.lastIndexOf('\n') + 1)
    if (whole.length !== text.length) await truncate(file, Buffer.byteLength(whole))
    const lines = whole.split('\n').filter((line) => line.trim() !== '')
    let seq = 0
    try {
      seq = lines.length === 0 ? 0 : Number((JSON.parse(lines.at(-1)!) as { seq: number }).seq)
    } catch {
      seq = lines.length
    }
    let handle: FileHandle
    try {
      handle = await open(file, 'a')
    } catch (err) {
      throw new JournalWriteFailedError(file, err)
    }
    const writer = new JournalWriter(file, handle, options)
    writer.#seq = Number.isFinite(seq) ? seq : lines.length
    return writer
  }

  /** How many events were appended so far (the last `seq`). */
  get count(): number {
    return this.#seq
  }

  async append(event: NewJournalEvent): Promise<JournalEvent> {
    if (this.#closing !== undefined) throw new JournalClosedError(this.file, event.type)
    if (this.#failure !== undefined) throw this.#failure
    const stamped = {
      seq: ++this.#seq,
      type: event.type,
      at: new Date(this.#clock.now()).toISOString(),
      data: event.data,
    } as JournalEvent
    this.#pending.push(`${JSON.stringify(stamped)}\n`)
    if (BUFFERED_EVENT_TYPES.has(event.type)) {
      this.#timer ??= setTimeout(() => {
        this.#timer = undefined
        this.#write(false).catch(() => {
          // Kept in #failure; the next append or close reports it.
        })
      }, this.#flushIntervalMs).unref()
      return stamped
    }
    await this.#write(true)
    return stamped
  }

  /** Writes and fsyncs everything appended so far. */
  flush(): Promise<void> {
    return this.#write(true)
  }

  /** Flushes, then closes the file. Appending afterwards throws `FIREDRILL_JOURNAL_CLOSED`. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearTimeout(this.#timer)
      this.#timer = undefined
      try {
        await this.#write(true)
      } finally {
        await this.#handle.close()
      }
    })()
    return this.#closing
  }

  #write(sync: boolean): Promise<void> {
    const run = this.#queue.then(async () => {
      if (this.#failure !== undefined) throw this.#failure
      const text = this.#pending.join('')
      this.#pending = []
      try {
        if (text !== '') await this.#handle.writeFile(text)
        if (sync) await this.#handle.datasync()
      } catch (err) {
        this.#failure = new JournalWriteFailedError(this.file, err)
        throw this.#failure
      }
    })
    this.#queue = run.catch(() => {})
    return run
  }
}
