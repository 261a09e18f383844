import { readdir, readFile } from 'node:fs/promises'

export interface ProcessEntry {
  pid: number
  ppid: number
  /** The kernel's short name of the program (`sh`, `node`, `redis-server`). */
  command: string
}

/** Every process on the machine, from /proc (Linux). */
export async function listProcesses(): Promise<ProcessEntry[]> {
  const found: ProcessEntry[] = []
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '')
    if (stat === '') continue
    // pid (comm) state ppid …; comm may hold spaces and parentheses, so read on from the last ')'.
    const close = stat.lastIndexOf(')')
    const [state, ppid] = stat.slice(close + 2).split(' ')
    if (state === 'Z') continue
    found.push({ pid: Number(entry), ppid: Number(ppid), command: stat.slice(stat.indexOf('(') + 1, close) })
  }
  return found
}

/** The processes whose parent is `pid`. */
export async function childrenOf(pid: number): Promise<ProcessEntry[]> {
  return (await listProcesses()).filter((p) => p.ppid === pid)
}

/** `pid`'s children, their children, and so on. */
export async function descendantsOf(pid: number): Promise<ProcessEntry[]> {
  const all = await listProcesses()
  const found: ProcessEntry[] = []
  const parents = [pid]
  while (parents.length > 0) {
    const parent = parents.pop()!
    for (const p of all) {
      if (p.ppid !== parent) continue
      found.push(p)
      parents.push(p.pid)
    }
  }
  return found
}

/** True while a process with this id runs (a zombie counts as gone). */
export async function isRunning(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
  if (stat === '') return false
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z'
}

/** Resolves once none of `pids` runs; rejects after `timeoutMs` naming those still running. */
export async function allGone(pids: readonly number[], timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const running: number[] = []
    for (const pid of pids) if (await isRunning(pid)) running.push(pid)
    if (running.length === 0) return
    if (Date.now() > deadline)
      throw new Error(`still running ${timeoutMs} ms later: pid ${running.join(', ')}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** SIGKILLs whatever of `pids` still runs: a failing test leaves nothing behind. */
export function killLeftovers(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
}

/** The process's command line, its arguments joined by spaces ('' once it is gone). */
export async function commandLineOf(pid: number): Promise<string> {
  const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
  return raw.split('\0').join(' ').trim()
}

/** The shop processes (flags, api, worker) started under `pid`, with their command lines. */
export async function shopProcessesUnder(pid: number): Promise<(ProcessEntry & { commandLine: string })[]> {
  const found = await Promise.all(
    (await descendantsOf(pid)).map(async (p) => ({ ...p, commandLine: await commandLineOf(p.pid) })),
  )
  return found.filter((p) => p.commandLine.includes('shop-process-main'))
}
