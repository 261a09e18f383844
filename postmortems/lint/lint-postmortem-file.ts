import { readFile } from 'node:fs/promises'
import { extname, resolve } from 'node:path'
import { PostmortemUnreadableError } from '../errors.ts'
import { type LintOptions, type LintResult, lintPostmortem } from './lint-postmortem.ts'

export interface FileLintResult extends LintResult {
  /** The JSON file that was linted (a `.md` path is read as the `.json` beside it). */
  file: string
}

/** The postmortem JSON a path names: the path itself, or for `postmortem.md` the `postmortem.json` beside it. */
export function postmortemJsonPath(path: string): string {
  const file = resolve(path)
  return extname(file).toLowerCase() === '.md' ? `${file.slice(0, -3)}.json` : file
}

/**
 * Reads a postmortem file and lints it. A missing or unreadable file, or one that is not JSON, is
 * `FIREDRILL_POSTMORTEM_UNREADABLE` (exit 2); a readable one always gives a result, however wrong it is.
 */
export async function lintPostmortemFile(path: string, options: LintOptions = {}): Promise<FileLintResult> {
  const file = postmortemJsonPath(path)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new PostmortemUnreadableError(
      file,
      code === 'ENOENT' ? 'no such file' : `cannot read it (${(err as Error).message})`,
      err,
    )
  }
  let model: unknown
  try {
    model = JSON.parse(text)
  } catch (err) {
    throw new PostmortemUnreadableError(file, `it is not JSON (${(err as Error).message})`, err)
  }
  return { file, ...lintPostmortem(model, options) }
}
