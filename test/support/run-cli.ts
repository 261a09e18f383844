import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { vi } from 'vitest'
import { main } from '../../scripts/cli.ts'

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'firedrill.js')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/**
 * The real command line in a child process (in `options.cwd`, default this one's). `env` adds to this process's
 * environment; a key set to undefined is removed. `done` resolves when it exits; `child` is there to signal it or read it as it runs.
 */
export function spawnCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  options: { cwd?: string } = {},
): { child: ChildProcessWithoutNullStreams; done: Promise<CliResult> } {
  const merged: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent', ...env }
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete merged[key]
  const child = spawn(process.execPath, [BIN, ...args], { env: merged, stdio: 'pipe', cwd: options.cwd })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString()
  })
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString()
  })
  const done = once(child, 'exit').then(([code]) => ({ code: code as number, stdout, stderr }))
  return { child, done }
}

/** The command line in this process: `main` with stdout and stderr captured. */
export async function runCliInProcess(args: readonly string[]): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk)
    return true
  })
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk)
    return true
  })
  try {
    const code = await main(args)
    return { code, stdout, stderr }
  } finally {
    out.mockRestore()
    err.mockRestore()
  }
}
