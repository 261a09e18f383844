import { realpath } from 'node:fs/promises'
import { isAbsolute, join, relative } from 'node:path'

/**
 * `file` in the gate's checkout, for a built-in that reads it in the gate's own process. A path that leads out of
 * the checkout (a committed symlink to `~/.config/…`, `../`) is refused, so a commit cannot make the gate read,
 * and echo into its report, a file of the machine's.
 */
export async function checkoutFile(checkout: string, file: string): Promise<string> {
  const path = join(checkout, file)
  const real = await realpath(path).catch(() => undefined)
  if (real === undefined) return path
  const rel = relative(await realpath(checkout), real)
  if (rel.startsWith('..') || isAbsolute(rel))
    throw new Error(
      `${file} leads out of the repository (a symlink or a path outside it); the gate does not read it`,
    )
  return path
}
