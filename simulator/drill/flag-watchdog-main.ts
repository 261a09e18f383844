// The flag watchdog's process (see flag-watchdog.ts): argv is the target file, the run directory, the run id, the
// lease's TTL in ms and, optionally, what it holds as JSON ({ dependencies, flags }); the drill speaks to it over
// IPC ('beat', 'release').
import { appendFile } from 'node:fs/promises'
import { join } from 'node:path'
import { systemClock } from '../../record/clock/clock.ts'
import type { NewJournalEvent } from '../../record/journal/journal-event.ts'
import { JournalWriter } from '../../record/journal/journal-writer.ts'
import { type LoadedTarget, loadTarget } from '../../record/target/load-target.ts'
import { dependencyFaultControl, findDependency } from '../target/dependency-proxy.ts'
import { targetFlagControl } from '../target/target-flag-control.ts'
import type { WatchdogHolds } from './flag-watchdog.ts'

const [targetFile, runDir, runId, ttlText, holdsText] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string | undefined,
]
const ttlMs = Number(ttlText)
const ACTOR = 'firedrill-dead-man-switch'
let lastBeat = Date.now()
let acting = false

const log = (line: string) =>
  appendFile(join(runDir, 'dead-man-switch.log'), `${new Date().toISOString()} ${line}\n`).catch(() => {})

/** One thing to put back, and how. */
interface Restore {
  what: string
  /** Resolves with the event that records it, or null when nothing needed putting back. */
  run(reason: string): Promise<NewJournalEvent | null>
}

function restoresOf(loaded: LoadedTarget): Restore[] {
  const holds: WatchdogHolds =
    holdsText === undefined
      ? { dependencies: [], flags: [loaded.target.flags.flag] }
      : (JSON.parse(holdsText) as WatchdogHolds)
  const restores: Restore[] = []
  // The faults first: a degrade switch turned off while its dependency still fails would fail the service again.
  for (const name of holds.dependencies) {
    const dependency = findDependency(loaded, name)
    if (dependency === undefined) continue
    restores.push({
      what: `the fault of ${name}'s proxy`,
      async run(reason) {
        const control = dependencyFaultControl(dependency)
        try {
          await control.clear(reason, ACTOR)
          await log(`${name}'s proxy fault cleared at ${control.url} (${control.key}): ${reason}`)
          return {
            type: 'dependency.fault',
            data: { dependency: name, proxy: control.url, fault: null, actor: ACTOR, reason },
          }
        } finally {
          await control.close()
        }
      },
    })
  }
  for (const flag of holds.flags) {
    const control = targetFlagControl(loaded, process.env, flag)
    restores.push({
      what: flag,
      async run(reason) {
        const before = await control.percent().catch(() => null)
        if (before === 0) return null
        await control.turnOff(reason, ACTOR)
        await log(`${control.flag} turned off at ${control.where}: ${reason}`)
        return {
          type: 'flag.changed',
          data: { key: control.flag, from: before, to: 'off', percent: 0, actor: ACTOR, reason },
        }
      },
    })
  }
  return restores
}

async function putBack(why: string, drillGone: boolean): Promise<never> {
  acting = true
  const reason = `lease of run ${runId} expired: ${why}`
  const pending = restoresOf(await loadTarget(targetFile))
  const done: NewJournalEvent[] = []
  // Keep trying: a flag source or Redis may be down for a moment; give up after a minute, saying so.
  const deadline = Date.now() + 60_000
  while (pending.length > 0) {
    try {
      const event = await pending[0]!.run(reason)
      if (event !== null) done.push(event)
      pending.shift()
    } catch (err) {
      if (Date.now() > deadline) {
        await log(`could not put back ${pending[0]!.what}: ${(err as Error).message}`)
        break
      }
      await new Promise((r) => setTimeout(r, 500))
    }
  }
  if (drillGone && done.length > 0) {
    const journal = await JournalWriter.resume(join(runDir, 'journal.jsonl'), { clock: systemClock })
    try {
      for (const event of done) await journal.append(event)
    } finally {
      await journal.close()
    }
  }
  process.exit(pending.length === 0 ? 0 : 1)
}

process.on('message', (message) => {
  if (message === 'beat') lastBeat = Date.now()
  else if (message === 'release') process.exit(0)
})
// The drill's process is gone (its IPC channel closed) without releasing the watchdog: it died.
process.on('disconnect', () => {
  if (!acting) void putBack("the drill's process ended without putting back what it changed", true)
})
setInterval(() => {
  if (!acting && Date.now() - lastBeat > ttlMs)
    void putBack(`no heartbeat from the drill for ${ttlMs} ms`, false)
}, 250)
process.send?.('ready')
