import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import type { JournalEvent } from '../record/journal/journal-event.ts'
import { readJournal } from '../record/journal/read-journal.ts'

const BIN = join(import.meta.dirname, '..', 'bin', 'firedrill.js')

export interface DrillProcess {
  child: ChildProcess
  exited: Promise<number | null>
  /** Sends a signal to the drill's whole process group, as a terminal does. */
  signalGroup(signal: NodeJS.Signals): void
}

/** `firedrill run ARGS` as its own process group, so a fault can hit the whole group. */
export function startDrillProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}): DrillProcess {
  const merged: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent', ...env }
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete merged[key]
  const child = spawn(process.execPath, [BIN, 'run', ...args], {
    env: merged,
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  })
  child.stderr?.resume()
  const exited = once(child, 'exit').then(([code]) => code as number | null)
  return {
    child,
    exited,
    signalGroup: (signal) => {
      try {
        process.kill(-child.pid!, signal)
      } catch {
        // the group is gone already
      }
    },
  }
}

/** Reads a run's journal until an event matches; bounded. */
export async function waitForJournalEvent(
  file: string,
  match: (event: JournalEvent) => boolean,
  timeoutMs: number,
): Promise<{ event: JournalEvent; events: JournalEvent[] }> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      const { events } = await readJournal(file)
      const event = events.find(match)
      if (event !== undefined) return { event, events }
    } catch {
      // not written yet
    }
    if (Date.now() > deadline) throw new Error(`no matching journal event in ${file} within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Polls `check` until it holds; resolves with the time it took, rejects after `timeoutMs`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<number> {
  const started = Date.now()
  for (;;) {
    if (await check()) return Date.now() - started
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
