import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import type { RunProcess } from '../../record/journal/journal-event.ts'

/** This process, as a drill's journal records it. */
export function thisProcess(): RunProcess {
  const startTicks = startTicksOf(process.pid)
  return { pid: process.pid, host: hostname(), ...(startTicks === undefined ? {} : { startTicks }) }
}

/**
 * Whether the process a journal names is still running: on this host, a live pid that started at the same
 * time (so a reused pid does not count). On another host it cannot be told, and counts as alive.
 */
export function isProcessAlive(recorded: RunProcess): boolean {
  if (recorded.host !== hostname()) return true
  try {
    process.kill(recorded.pid, 0)
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
  if (recorded.startTicks === undefined) return true
  return startTicksOf(recorded.pid) === recorded.startTicks
}

/** Field 22 of `/proc/PID/stat` (after the command name, which may hold spaces); undefined off Linux. */
function startTicksOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(fields[19])
    return Number.isFinite(ticks) ? ticks : undefined
  } catch {
    return undefined
  }
}
