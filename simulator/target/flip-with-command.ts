import { execFile } from 'node:child_process'
import { isAbsolute, resolve } from 'node:path'
import type { LoadedTarget } from '../../record/target/load-target.ts'
import { FlipCommandFailedError } from './target-errors.ts'

export interface FlipOptions {
  /** The command's environment (its tokens). @defaultValue process.env */
  env?: NodeJS.ProcessEnv
  /** Real-time budget of the command. @defaultValue 10000 */
  timeoutMs?: number
  /** The flag to flip. @defaultValue the target's `flags.flag` */
  flag?: string
  /** What `{percent}` is filled in with. @defaultValue 100 for `on`, 0 otherwise */
  percent?: number
}

/** Whether a flip command passes a share (`{percent}` in an argument), so a canary step reaches only that share. */
export function flipTakesPercent(flip: readonly string[]): boolean {
  return flip.some((arg) => arg.includes('{percent}'))
}

/**
 * Flips the target's flag to `variant` with its own command (`flags.source.flip`, an OFREP target): `{flag}`,
 * `{variant}` and `{percent}` in its arguments are filled in, a program given as a path is found from the target file's folder,
 * and it runs there, without a shell. Resolves with what it printed; a command that cannot start, exits non-zero
 * or outlasts `timeoutMs` is `FIREDRILL_FLIP_COMMAND_FAILED`, with the end of its stderr.
 */
export function flipWithCommand(
  loaded: LoadedTarget,
  variant: string,
  options: FlipOptions = {},
): Promise<{ stdout: string; stderr: string }> {
  const { source } = loaded.target.flags
  const flag = options.flag ?? loaded.target.flags.flag
  if (source.kind !== 'ofrep')
    throw new TypeError(`flipWithCommand needs an ofrep flag source (got ${source.kind})`)
  const percent = String(options.percent ?? (variant === 'on' ? 100 : 0))
  const argv = source.flip.map((arg) =>
    arg.replaceAll('{flag}', flag).replaceAll('{variant}', variant).replaceAll('{percent}', percent),
  )
  const [program, ...args] = argv as [string, ...string[]]
  const file = program.includes('/') && !isAbsolute(program) ? resolve(loaded.dir, program) : program
  const timeoutMs = options.timeoutMs ?? 10_000
  return new Promise((resolvePromise, reject) => {
    execFile(
      file,
      args,
      {
        cwd: loaded.dir,
        env: options.env ?? process.env,
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 1024 * 1024,
      },
      (err, stdout, stderr) => {
        if (err === null) return resolvePromise({ stdout, stderr })
        const said = stderr.trim().split('\n').slice(-3).join(' / ').replace(/\.+$/, '')
        const { code, killed } = err as { code?: number | string; killed?: boolean }
        const detail = killed
          ? `took longer than ${timeoutMs} ms and was stopped`
          : typeof code === 'number'
            ? `exited ${code}${said === '' ? '' : `: ${said}`}`
            : `could not start (${code ?? err.message})`
        reject(new FlipCommandFailedError(argv, detail, err))
      },
    )
  })
}
