import { readFile } from 'node:fs/promises'
import { JournalCorruptError, JournalNotFoundError } from '../errors.ts'
import { isJournalEventType, type JournalEvent } from './journal-event.ts'

export interface JournalReadResult {
  events: JournalEvent[]
  /** The cut-off last line of a run that crashed mid-write, left out of `events`; null when the file is whole. */
  truncatedLastLine: { line: number; text: string } | null
}

/**
 * Reads a journal back. A last line without its newline that does not parse is what a crash leaves: it is
 * reported in `truncatedLastLine` and skipped. Any other bad line is `FIREDRILL_JOURNAL_CORRUPT` with its
 * line number. A missing file is `FIREDRILL_JOURNAL_NOT_FOUND`.
 */
export async function readJournal(file: string): Promise<JournalReadResult> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new JournalNotFoundError(file, err)
    throw err
  }
  return parseJournal(text, file)
}

/** `readJournal` on text already in memory; `file` names the source in errors. */
export function parseJournal(text: string, file: string): JournalReadResult {
  const lines = text.split('\n')
  const unterminated = lines.pop() ?? ''
  const events: JournalEvent[] = []
  let lastSeq = 0
  const take = (raw: string, line: number): void => {
    const event = parseLine(raw, file, line)
    if (event.seq <= lastSeq) {
      throw new JournalCorruptError(file, line, `seq ${event.seq} does not follow ${lastSeq}`)
    }
    lastSeq = event.seq
    events.push(event)
  }
  lines.forEach((raw, i) => {
    if (raw.trim() !== '') take(raw, i + 1)
  })
  let truncatedLastLine: JournalReadResult['truncatedLastLine'] = null
  if (unterminated.trim() !== '') {
    const line = lines.length + 1
    try {
      take(unterminated, line)
    } catch {
      truncatedLastLine = { line, text: unterminated }
    }
  }
  return { events, truncatedLastLine }
}

function parseLine(raw: string, file: string, line: number): JournalEvent {
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    throw new JournalCorruptError(file, line, 'not a JSON object')
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new JournalCorruptError(file, line, 'not a JSON object')
  }
  const { seq, type, at, data } = value as Record<string, unknown>
  if (!Number.isInteger(seq) || (seq as number) < 1)
    throw new JournalCorruptError(file, line, 'seq must be a positive integer')
  if (!isJournalEventType(type))
    throw new JournalCorruptError(file, line, `unknown event type ${JSON.stringify(type)}`)
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) {
    throw new JournalCorruptError(file, line, 'at must be an ISO-8601 timestamp')
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new JournalCorruptError(file, line, 'data must be an object')
  }
  return value as JournalEvent
}
