import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'

const WORKER_MAIN = fileURLToPath(new URL('./worker-main.ts', import.meta.url))

export interface WorkerProcess {
  child: ChildProcess
  /** Everything the process wrote to stderr so far (its logs). */
  stderr(): string
  /** Resolves with the exit code or signal once the process has ended. */
  exited: Promise<number | NodeJS.Signals>
}

/**
 * Starts `worker-main.ts` as its own process (as the shop launcher does) and resolves once it prints
 * `{"ready":true}`; rejects if it exits or stays silent for `timeoutMs` first.
 */
export async function spawnWorkerProcess(
  env: Record<string, string>,
  timeoutMs = 15_000,
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_MAIN], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = once(child, 'exit').then(([code, signal]) => (signal ?? code) as number | NodeJS.Signals)
  let stdout = ''
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`worker not ready after ${timeoutMs} ms:\n${stderr}`)),
      timeoutMs,
    )
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      if (stdout.split('\n').some((line) => line.trim() === '{"ready":true}')) {
        clearTimeout(timer)
        resolve()
      }
    })
    exited.then((how) => {
      clearTimeout(timer)
      reject(new Error(`worker exited (${how}) before it was ready:\n${stderr}`))
    })
  })
  await ready
  return { child, stderr: () => stderr, exited }
}
