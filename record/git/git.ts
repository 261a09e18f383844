import { execFile } from 'node:child_process'
import { GitFailedError } from '../errors.ts'

/** Commits made by firedrill itself carry this identity, whatever the machine's git config says. */
export const FIREDRILL_GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'firedrill',
  GIT_AUTHOR_EMAIL: 'firedrill@localhost',
  GIT_COMMITTER_NAME: 'firedrill',
  GIT_COMMITTER_EMAIL: 'firedrill@localhost',
}

/** Runs git in `cwd` and resolves its trimmed stdout; a non-zero exit is a GitFailedError with git's stderr. */
export function git(cwd: string, args: readonly string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...args],
      {
        cwd,
        env: { ...process.env, ...FIREDRILL_GIT_IDENTITY, GIT_TERMINAL_PROMPT: '0', ...env },
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        if (err) reject(new GitFailedError(args, stderr || err.message, err))
        else resolve(stdout.trim())
      },
    )
  })
}
