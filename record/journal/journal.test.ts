import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../clock/manual-clock.ts'
import { RecordErrorCode } from '../errors.ts'
import { JournalWriter } from './journal-writer.ts'
import { readJournal } from './read-journal.ts'

const work = mkdtempSync(join(tmpdir(), 'firedrill-journal-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))
let counter = 0
const freshFile = () => join(work, `run-${++counter}`, 'journal.jsonl')

const interval = (index: number) =>
  ({
    type: 'traffic.interval',
    data: {
      index,
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-01-01T00:00:01.000Z',
      requests: 40,
      failures: 1,
      dropped: 0,
      byStatus: { '201': 39, '500': 1 },
      latencyP50Ms: 3,
      latencyP99Ms: 9,
    },
  }) as const

function linesOnDisk(file: string): { seq: number; type: string }[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l))
}

async function waitFor(check: () => boolean, deadlineMs = 2_000): Promise<void> {
  const until = Date.now() + deadlineMs
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met before the deadline')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('journal writer', () => {
  it('numbers events and stamps them from the injected clock', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12))
    const writer = await JournalWriter.create(freshFile(), { clock })
    const first = await writer.append({ type: 'phase.entered', data: { phase: 'preflight' } })
    await clock.advance(1_500)
    const second = await writer.append({ type: 'phase.entered', data: { phase: 'release' } })
    await writer.close()
    expect([first.seq, second.seq]).toEqual([1, 2])
    expect(second.at).toBe('2026-01-01T12:00:01.500Z')
  })

  it('has a key event on disk before append resolves, with the buffered events before it', async () => {
    const file = freshFile()
    const writer = await JournalWriter.create(file, { clock: new ManualClock(), flushIntervalMs: 60_000 })
    await writer.append(interval(0))
    await writer.append(interval(1))
    expect(linesOnDisk(file)).toEqual([])
    await writer.append({
      type: 'alert.fired',
      data: {
        alert: 'fast-burn',
        severity: 'page',
        burnRates: { long: 20, short: 30 },
        threshold: 14.4,
        windows: { long: '1h', short: '5m' },
      },
    })
    expect(linesOnDisk(file).map((e) => [e.seq, e.type])).toEqual([
      [1, 'traffic.interval'],
      [2, 'traffic.interval'],
      [3, 'alert.fired'],
    ])
    await writer.close()
  })

  it('writes buffered events within the flush interval without a key event', async () => {
    const file = freshFile()
    const writer = await JournalWriter.create(file, { clock: new ManualClock(), flushIntervalMs: 20 })
    await writer.append(interval(0))
    await waitFor(() => linesOnDisk(file).length === 1)
    await writer.close()
  })

  it('writes everything on close and refuses appends afterwards', async () => {
    const file = freshFile()
    const writer = await JournalWriter.create(file, { clock: new ManualClock(), flushIntervalMs: 60_000 })
    for (let i = 0; i < 5; i++) await writer.append(interval(i))
    await writer.close()
    expect(linesOnDisk(file).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5])
    await expect(writer.append(interval(9))).rejects.toMatchObject({
      code: RecordErrorCode.JOURNAL_CLOSED,
    })
  })

  it('keeps file order equal to seq order under concurrent appends', async () => {
    const file = freshFile()
    const writer = await JournalWriter.create(file, { clock: new ManualClock(), flushIntervalMs: 5 })
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        i % 3 === 0
          ? writer.append({ type: 'check.passed', data: { name: `c${i}`, evidence: { i } } })
          : writer.append(interval(i)),
      ),
    )
    await writer.close()
    expect(linesOnDisk(file).map((e) => e.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1))
  })

  it('refuses a second writer on the same journal', async () => {
    const file = freshFile()
    const writer = await JournalWriter.create(file, { clock: new ManualClock() })
    await expect(JournalWriter.create(file, { clock: new ManualClock() })).rejects.toMatchObject({
      code: RecordErrorCode.JOURNAL_EXISTS,
      exitCode: 2,
    })
    await writer.close()
  })
})

describe('journal reader', () => {
  async function writtenJournal(): Promise<string> {
    const file = freshFile()
    const writer = await JournalWriter.create(file, { clock: new ManualClock() })
    await writer.append({ type: 'phase.entered', data: { phase: 'preflight' } })
    await writer.append(interval(0))
    await writer.append({ type: 'phase.entered', data: { phase: 'release' } })
    await writer.close()
    return file
  }

  it('reads back what the writer wrote', async () => {
    const { events, truncatedLastLine } = await readJournal(await writtenJournal())
    expect(events.map((e) => e.type)).toEqual(['phase.entered', 'traffic.interval', 'phase.entered'])
    expect(truncatedLastLine).toBeNull()
  })

  it('tolerates and reports a truncated last line left by a crash', async () => {
    const file = await writtenJournal()
    appendFileSync(file, '{"seq":4,"type":"alert.fi')
    const { events, truncatedLastLine } = await readJournal(file)
    expect(events).toHaveLength(3)
    expect(truncatedLastLine).toEqual({ line: 4, text: '{"seq":4,"type":"alert.fi' })
  })

  it('refuses a corrupt line in the middle with its line number', async () => {
    const file = await writtenJournal()
    const lines = readFileSync(file, 'utf8').split('\n')
    lines[1] = lines[1]!.slice(0, 20)
    writeFileSync(file, lines.join('\n'))
    await expect(readJournal(file)).rejects.toMatchObject({
      code: RecordErrorCode.JOURNAL_CORRUPT,
      line: 2,
    })
  })

  it('refuses events out of seq order and unknown event types', async () => {
    const missing = freshFile()
    const line = (seq: number, type: string) =>
      JSON.stringify({ seq, type, at: '2026-01-01T00:00:00.000Z', data: {} })
    writeFileSync(join(work, 'order.jsonl'), `${line(2, 'phase.entered')}\n${line(1, 'phase.entered')}\n`)
    await expect(readJournal(join(work, 'order.jsonl'))).rejects.toMatchObject({
      code: RecordErrorCode.JOURNAL_CORRUPT,
      line: 2,
    })
    writeFileSync(join(work, 'type.jsonl'), `${line(1, 'drill.exploded')}\n`)
    await expect(readJournal(join(work, 'type.jsonl'))).rejects.toMatchObject({
      code: RecordErrorCode.JOURNAL_CORRUPT,
      line: 1,
    })
    await expect(readJournal(missing)).rejects.toMatchObject({ code: RecordErrorCode.JOURNAL_NOT_FOUND })
  })
})
