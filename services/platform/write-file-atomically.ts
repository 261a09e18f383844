import { randomUUID } from 'node:crypto'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'

/**
 * Writes a file so that readers see the old content or the whole new one, never half: a temporary name beside
 * it, then a rename. Missing parent directories are made. On failure the temporary file is removed and the old
 * file is left as it was.
 */
export async function writeFileAtomically(file: string, text: string): Promise<void> {
  const target = resolve(file)
  await mkdir(dirname(target), { recursive: true })
  const temp = `${target}.${process.pid}.${randomUUID()}.tmp`
  try {
    await writeFile(temp, text, { flag: 'wx' })
    await rename(temp, target)
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
}
