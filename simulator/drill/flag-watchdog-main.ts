// The flag watchdog's process (see flag-watchdog.ts): argv is the target file, the run directory, the run id and
// the lease's TTL in ms; the drill speaks to it over IPC ('beat', 'release').
import { appendFile } from 'node:fs/promises'
import { join } from 'node:path'
import { systemClock } from '../../record/clock/clock.ts'
import { JournalWriter } from '../../record/journal/journal-writer.ts'
import { loadTarget } from '../../record/target/load-target.ts'
import { targetFlagControl } from './target-flag-control.ts'

const [targetFile, runDir, runId, ttlText] = process.argv.slice(2) as [string, string, string, string]
const ttlMs = Number(ttlText)
const ACTOR = 'firedrill-dead-man-switch'
let lastBeat = Date.now()
let acting = false

const log = (line: string) =>
  appendFile(join(runDir, 'dead-man-switch.log'), `${new Date().toISOString()} ${line}\n`).catch(() => {})

async function turnOff(why: string, drillGone: boolean): Promise<never> {
  acting = true
  const reason = `lease of run ${runId} expired: ${why}`
  const control = targetFlagControl(await loadTarget(targetFile))
  // Keep trying: the flag source may be down for a moment; give up after a minute, saying so.
  const deadline = Date.now() + 60_000
  for (;;) {
    try {
      const before = await control.percent().catch(() => null)
      await control.turnOff(reason, ACTOR)
      await log(`${control.flag} turned off at ${control.where}: ${reason}`)
      if (drillGone) {
        const journal = await JournalWriter.resume(join(runDir, 'journal.jsonl'), { clock: systemClock })
        try {
          await journal.append({
            type: 'flag.changed',
            data: { key: control.flag, from: before, to: 'off', percent: 0, actor: ACTOR, reason },
          })
        } finally {
          await journal.close()
        }
      }
      process.exit(0)
    } catch (err) {
      if (Date.now() > deadline) {
        await log(`could not turn ${control.flag} off at ${control.where}: ${(err as Error).message}`)
        process.exit(1)
      }
      await new Promise((r) => setTimeout(r, 500))
    }
  }
}

process.on('message', (message) => {
  if (message === 'beat') lastBeat = Date.now()
  else if (message === 'release') process.exit(0)
})
// The drill's process is gone (its IPC channel closed) without releasing the watchdog: it died.
process.on('disconnect', () => {
  if (!acting) void turnOff("the drill's process ended without putting the flag back", true)
})
setInterval(() => {
  if (!acting && Date.now() - lastBeat > ttlMs)
    void turnOff(`no heartbeat from the drill for ${ttlMs} ms`, false)
}, 250)
process.send?.('ready')
