import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { ShopPartConfigInput, ShopPartRole } from '../part/shop-part-config.ts'
import { parseShopPartConfig } from '../part/shop-part-config.ts'
import { ShopCodeRootInvalidError, ShopProcessFailedError, ShopProcessTimeoutError } from '../shop-errors.ts'
import { isShopProcessMessage, type ShopProcessConfigMessage } from './shop-process-messages.ts'

/** Where the entry point sits under a code root. */
export const SHOP_PROCESS_ENTRY = join('services', 'shop', 'process', 'shop-process-main.ts')

/**
 * Where an artifact keeps the entry point bundled at build time (its own code and its dependencies in one file,
 * run by plain `node`): a code root that has it starts its processes from it, in about a third of the time.
 */
export const SHOP_PROCESS_BUNDLE = join('.build', 'shop-process-main.mjs')

/** The root of the code this module belongs to: the project, or the artifact it was loaded from. */
export const OWN_CODE_ROOT = resolve(import.meta.dirname, '..', '..', '..')

export interface ShopProcessOptions extends ShopPartConfigInput {
  /** How long the process may take to say it is ready before it is killed. @defaultValue 20000 */
  startTimeoutMs?: number
  /**
   * How long `stop()` waits after its signal before it kills the process.
   * @defaultValue the part's `shutdownTimeoutMs` (3000) + 1000
   */
  stopTimeoutMs?: number
  /**
   * The process's stdout and stderr (its logs): `inherit` writes them to this process's stderr, `capture`
   * keeps the last lines for `output()` and error messages. @defaultValue 'inherit'
   */
  output?: 'inherit' | 'capture'
  /**
   * With `output: 'capture'`, told every whole line the process writes (its structured logs), as it comes. It
   * should not throw; if it does, the line is dropped. @defaultValue none
   */
  onOutputLine?: (line: string) => void
  /** Added to the process's environment, which otherwise holds only `INHERITED_ENV`. @defaultValue none */
  env?: Record<string, string>
}

export interface ShopProcessExit {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface ShopProcess {
  role: ShopPartRole
  instance: string
  /** Where it listens (a worker: its metrics server). */
  url: string
  metricsUrl: string
  pid: number
  /**
   * Asks it to stop (SIGTERM unless told otherwise) and resolves once it has exited: in-flight requests and
   * jobs finish first; after `stopTimeoutMs` it is killed. Idempotent.
   */
  stop(signal?: NodeJS.Signals): Promise<ShopProcessExit>
  /** Kills it outright (SIGKILL) and resolves once it has exited. */
  kill(): Promise<ShopProcessExit>
  /** Resolves when it has exited, however that came about. */
  exited: Promise<ShopProcessExit>
  /** The last lines it wrote, with `output: 'capture'`. */
  output(): string
}

/**
 * What a shop process takes from this process's environment: what node and tsx need, and nothing secret. Its
 * configuration travels over IPC (the flags token only to the flags service), and the code it runs may be a
 * change under test, which must never see the gate's signing key or anything else firedrill holds.
 */
export const INHERITED_ENV = [
  'PATH',
  'HOME',
  'TMPDIR',
  'TZ',
  'LANG',
  'LC_ALL',
  'NO_COLOR',
  'FORCE_COLOR',
] as const

const OUTPUT_TAIL = 8192
/** Bounds the wait for a process's exit after SIGKILL, which the kernel carries out at once. */
const KILL_WAIT_MS = 2000

/**
 * Starts one part of the shop (`role` api, worker or flags) as a process of its own, running the code under
 * `codeRoot` (the project, or an artifact directory built from it) with `node --import tsx` (or plain `node` on
 * the root's `SHOP_PROCESS_BUNDLE`, when it has one), and resolves once
 * it is ready. The process leads a process group of its own, so signals aimed at this process's terminal or
 * group do not reach it; it stops by itself when this process exits or dies, even of SIGKILL (its IPC channel
 * closes). Rejects with `ShopProcessFailedError` if it ends or reports a failure first, and with
 * `ShopProcessTimeoutError` (having killed it) if it is not ready within `startTimeoutMs`.
 */
export async function startShopProcess(codeRoot: string, options: ShopProcessOptions): Promise<ShopProcess> {
  const {
    startTimeoutMs = 20_000,
    stopTimeoutMs,
    output = 'inherit',
    onOutputLine,
    env = {},
    ...part
  } = options
  const root = resolve(codeRoot)
  const entry = join(root, SHOP_PROCESS_ENTRY)
  if (!existsSync(entry)) throw new ShopCodeRootInvalidError(root, SHOP_PROCESS_ENTRY)
  const config = parseShopPartConfig(part, 'startShopProcess options')
  const name = `${config.role} ${config.instance}`
  const bundle = join(root, SHOP_PROCESS_BUNDLE)

  const child = spawn(process.execPath, existsSync(bundle) ? [bundle] : ['--import', 'tsx', entry], {
    cwd: root,
    env: { ...inheritedEnv(), ...env },
    stdio: output === 'inherit' ? ['ignore', 2, 2, 'ipc'] : ['ignore', 'pipe', 'pipe', 'ipc'],
    detached: true,
  })
  let tail = ''
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-OUTPUT_TAIL)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  if (onOutputLine !== undefined) {
    child.stdout?.on('data', linesOf(onOutputLine))
    child.stderr?.on('data', linesOf(onOutputLine))
  }
  const exited = exitOf(child)

  let ready: Awaited<ReturnType<typeof waitForReady>>
  try {
    ready = await waitForReady(child, { type: 'config', config }, exited, name, startTimeoutMs, () => tail)
  } catch (err) {
    child.kill('SIGKILL')
    await withBound(exited, KILL_WAIT_MS)
    throw err
  }
  // Once ready, nothing more is said on the channel; it stays open only so the process sees this one go.
  child.channel?.unref()

  let stopping: Promise<ShopProcessExit> | undefined
  const stop = (signal: NodeJS.Signals = 'SIGTERM') => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      const grace = stopTimeoutMs ?? config.shutdownTimeoutMs + 1000
      const ended = await withBound(exited, grace)
      if (ended !== undefined) return ended
      child.kill('SIGKILL')
      return (await withBound(exited, KILL_WAIT_MS)) ?? { code: null, signal: 'SIGKILL' as const }
    })()
    return stopping
  }
  return {
    role: config.role,
    instance: config.instance,
    url: ready.url,
    metricsUrl: ready.metricsUrl,
    pid: ready.pid,
    stop,
    kill: async () => {
      child.kill('SIGKILL')
      return (await withBound(exited, KILL_WAIT_MS)) ?? { code: null, signal: 'SIGKILL' }
    },
    exited,
    output: () => tail,
  }
}

/** Sends the configuration, then waits for the process's answer, its exit, or the timeout. */
function waitForReady(
  proc: ChildProcess,
  message: ShopProcessConfigMessage,
  ended: Promise<ShopProcessExit>,
  what: string,
  timeoutMs: number,
  lastOutput: () => string,
): Promise<{ url: string; metricsUrl: string; pid: number }> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      settle()
      reject(new ShopProcessTimeoutError(what, timeoutMs, lastOutput().trim()))
    }, timeoutMs)
    const settle = () => {
      clearTimeout(timer)
      proc.off('message', onMessage)
      proc.off('error', onError)
    }
    const onMessage = (answer: unknown) => {
      if (!isShopProcessMessage(answer)) return
      settle()
      if (answer.ready) resolvePromise(answer)
      else
        reject(
          new ShopProcessFailedError(what, answer.error.message, {
            exitCode: answer.error.exitCode,
            ...(answer.error.code === undefined ? {} : { partCode: answer.error.code }),
          }),
        )
    }
    const onError = (err: Error) => {
      settle()
      reject(new ShopProcessFailedError(what, `it could not be spawned (${err.message})`, { cause: err }))
    }
    proc.on('message', onMessage)
    proc.on('error', onError)
    ended.then((how) => {
      settle()
      const said = lastOutput().trim()
      reject(
        new ShopProcessFailedError(
          what,
          `it exited (${how.signal ?? `code ${how.code}`}) before it was ready${said === '' ? '' : `:\n${said}`}`,
        ),
      )
    })
    try {
      proc.send(message)
    } catch (err) {
      onError(err as Error)
    }
  })
}

/** A stream's chunks as whole lines, each told to `onLine`; a line longer than the tail is cut. */
function linesOf(onLine: (line: string) => void): (chunk: Buffer) => void {
  let partial = ''
  return (chunk) => {
    const lines = (partial + chunk.toString()).split('\n')
    partial = (lines.pop() ?? '').slice(-OUTPUT_TAIL)
    for (const line of lines) {
      if (line === '') continue
      try {
        onLine(line)
      } catch {
        // A listener's trouble loses the line, never the process.
      }
    }
  }
}

function inheritedEnv(): Record<string, string> {
  const picked: Record<string, string> = {}
  for (const name of INHERITED_ENV) {
    const value = process.env[name]
    if (value !== undefined) picked[name] = value
  }
  return picked
}

function exitOf(child: ChildProcess): Promise<ShopProcessExit> {
  return new Promise((resolvePromise) => {
    child.once('exit', (code, signal) => resolvePromise({ code, signal }))
  })
}

/** `promise`'s value, or undefined once `ms` have passed. */
async function withBound<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  const value = await Promise.race([
    promise,
    new Promise<undefined>((r) => {
      timer = setTimeout(() => r(undefined), ms)
    }),
  ])
  clearTimeout(timer)
  return value
}
