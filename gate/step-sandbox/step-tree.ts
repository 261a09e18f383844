import { cp, mkdir, readlink, symlink } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * A step's own copy of the commit, made from the gate's pristine checkout: what one step's code writes (a
 * rewritten source file, a deleted fixture) never reaches another step or the checks the gate makes itself.
 * node_modules is linked as the checkout links it; the checkout's `.git` is left out.
 */
export async function copyStepTree(checkout: string, dest: string): Promise<void> {
  await mkdir(dest, { recursive: true })
  await cp(checkout, dest, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (source) => source !== join(checkout, '.git') && source !== join(checkout, 'node_modules'),
  })
  const modules = await readlink(join(checkout, 'node_modules')).catch(() => undefined)
  if (modules !== undefined) await symlink(modules, join(dest, 'node_modules'), 'dir')
}
