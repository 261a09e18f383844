import { spawn } from 'node:child_process'
import { OutputTail } from './output-tail.ts'

export interface ProcessOutcome {
  /** `passed`: exit 0; `failed`: another exit code or a signal; `timed-out`: killed at the deadline. */
  status: 'passed' | 'failed' | 'timed-out'
  exitCode: number | null
  output: OutputTail
}

export interface RunProcessOptions {
  cwd: string
  env: NodeJS.ProcessEnv
  timeoutMs: number
  /** Grace between SIGTERM and SIGKILL at the deadline. @defaultValue 2000 */
  killGraceMs?: number
  /** Run `command` through `sh -c` instead of executing it with `args`. @defaultValue false */
  shell?: boolean
}

/**
 * Runs one step's process in its own process group, stdout and stderr merged into one tail. At the
 * deadline the whole group gets SIGTERM, then SIGKILL, so a step's children never outlive it.
 */
export function runProcess(
  command: string,
  args: readonly string[],
  options: RunProcessOptions,
): Promise<ProcessOutcome> {
  const output = new OutputTail()
  return new Promise((resolve) => {
    const child = options.shell
      ? spawn('sh', ['-c', command], {
          cwd: options.cwd,
          env: options.env,
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
        })
      : spawn(command, [...args], {
          cwd: options.cwd,
          env: options.env,
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
        })
    let timedOut = false
    let settled = false
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal)
      } catch {
        // the group is already gone
      }
    }
    let killTimer: NodeJS.Timeout | undefined
    const deadline = setTimeout(() => {
      timedOut = true
      output.append(`\n[firedrill] step timed out after ${options.timeoutMs} ms; stopping it\n`)
      killGroup('SIGTERM')
      killTimer = setTimeout(() => killGroup('SIGKILL'), options.killGraceMs ?? 2000)
    }, options.timeoutMs)
    const finish = (exitCode: number | null, error?: Error) => {
      if (settled) return
      settled = true
      clearTimeout(deadline)
      if (killTimer !== undefined) clearTimeout(killTimer)
      // Whatever the step left running in its group goes with it.
      killGroup('SIGKILL')
      if (error !== undefined) output.append(`\n[firedrill] could not start "${command}": ${error.message}\n`)
      resolve({
        status: timedOut ? 'timed-out' : exitCode === 0 && error === undefined ? 'passed' : 'failed',
        exitCode,
        output,
      })
    }
    child.stdout?.on('data', (chunk: Buffer) => output.append(chunk.toString()))
    child.stderr?.on('data', (chunk: Buffer) => output.append(chunk.toString()))
    child.once('error', (err) => finish(null, err))
    // A grandchild that left the group may hold the pipes open: once the step itself has exited, wait a moment
    // for its output, then stop listening.
    child.once('exit', (code) => {
      setTimeout(() => {
        child.stdout?.destroy()
        child.stderr?.destroy()
        finish(code)
      }, 1000).unref()
    })
    child.once('close', (code, signal) => {
      if (signal !== null && !timedOut) output.append(`\n[firedrill] step ended by ${signal}\n`)
      finish(code)
    })
  })
}
