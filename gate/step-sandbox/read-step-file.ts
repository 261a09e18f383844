import { constants } from 'node:fs'
import { open } from 'node:fs/promises'

/**
 * A file a step left in its copy, read by the gate: undefined unless it is a regular file of at most `maxBytes`.
 * Never follows a link (out of the copy) and never waits on a FIFO (which would hold the gate open), since the
 * step's code decided what is there.
 */
export async function readStepFile(file: string, maxBytes: number): Promise<string | undefined> {
  try {
    const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
    try {
      const stat = await handle.stat()
      if (!stat.isFile() || stat.size > maxBytes) return undefined
      return await handle.readFile('utf8')
    } finally {
      await handle.close()
    }
  } catch {
    return undefined
  }
}
