import { constants } from 'node:fs'
import { access, stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { UsageError } from './cli-errors.ts'

/**
 * The absolute path of an output file a command will write when it has finished, checked before it starts: not
 * a directory, and in a directory this process can create or write (the nearest one that exists), so a long run
 * does not end on an unwritable path. A bad path is a `UsageError` naming the option.
 */
export async function writableOutput(file: string, option: string): Promise<string> {
  const target = resolve(file)
  const isDir = await stat(target).then(
    (s) => s.isDirectory(),
    () => false,
  )
  if (isDir)
    throw new UsageError(`${option} ${file} is a directory: give a file name, such as ${file}/report.xml`)
  let dir = dirname(target)
  for (;;) {
    const found = await stat(dir).catch(() => undefined)
    if (found !== undefined) {
      if (!found.isDirectory()) throw new UsageError(`${option} ${file}: ${dir} is not a directory`)
      break
    }
    const parent = dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  try {
    await access(dir, constants.W_OK)
  } catch {
    throw new UsageError(`${option} ${file}: cannot write in ${dir}; choose a path you can write to`)
  }
  return target
}
