import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { join, resolve } from 'node:path'

/** The firedrill installation the watchdog runs from (it needs its `node_modules` for tsx). */
const ROOT = resolve(import.meta.dirname, '..', '..')
const MAIN = join(import.meta.dirname, 'flag-watchdog-main.ts')

export interface FlagWatchdogOptions {
  /** The target file: the watchdog reads the flag's source from it. */
  targetFile: string
  runDir: string
  runId: string
  /** The lease: with no heartbeat for this long, the watchdog turns the flag off. @defaultValue 5000 */
  ttlMs?: number
  /** How often the drill beats. @defaultValue 1000 */
  heartbeatMs?: number
  /** The watchdog's environment (the flag service's token). @defaultValue process.env */
  env?: NodeJS.ProcessEnv
  /**
   * What the watchdog puts back, in this order: the faults of these dependencies' proxies cleared, then these
   * flags turned off. @defaultValue the target's `flags.flag` only
   */
  holds?: WatchdogHolds
}

/** What a drill may leave changed on a target: dependencies (by name) whose proxy faults, and flags turned on. */
export interface WatchdogHolds {
  dependencies: string[]
  flags: string[]
}

export interface FlagWatchdog {
  readonly pid: number
  /**
   * The drill put the flag back itself: the watchdog exits without touching it. Until this is said, a drill
   * that dies, hangs or loses its terminal has its flag turned off by the watchdog.
   */
  release(): Promise<void>
}

/**
 * The dead man's switch for a change the drill makes on a target (a flag in a team's flag service, flagd file
 * or behind a flip command; a fault set on the proxy in front of a dependency): a process of its own, in a session of its own (so a signal to the drill's process
 * group does not reach it), that the drill's heartbeat keeps quiet. When the drill's process ends without
 * releasing it (its IPC channel closes, even on SIGKILL) or stops beating for `ttlMs`, it clears the proxies'
 * faults and turns the flags off through the target's flag source (`holds`), journals that (when the drill is
 * gone) and exits.
 */
export async function startFlagWatchdog(options: FlagWatchdogOptions): Promise<FlagWatchdog> {
  const ttlMs = options.ttlMs ?? 5000
  const heartbeatMs = options.heartbeatMs ?? 1000
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      MAIN,
      resolve(options.targetFile),
      resolve(options.runDir),
      options.runId,
      String(ttlMs),
      ...(options.holds === undefined ? [] : [JSON.stringify(options.holds)]),
    ],
    {
      cwd: ROOT,
      env: options.env ?? process.env,
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      detached: true,
    },
  )
  const [ready] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(() => {
      throw new Error('the flag watchdog ended before it was ready')
    }),
  ])) as [unknown]
  if (ready !== 'ready') throw new Error(`the flag watchdog said ${JSON.stringify(ready)}, not ready`)
  const beat = setInterval(() => {
    if (child.connected) child.send('beat')
  }, heartbeatMs)
  beat.unref()
  // Neither the watchdog nor its channel keeps the drill's process alive.
  child.unref()
  ;(child.channel as { unref?: () => void } | undefined)?.unref?.()
  return {
    pid: child.pid!,
    async release() {
      clearInterval(beat)
      if (!child.connected) return
      const exited = once(child, 'exit')
      child.send('release')
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000).unref())])
    },
  }
}
