import { randomBytes } from 'node:crypto'
import { rename, rm, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { FlagsDocument } from '../flag-definition.ts'

/**
 * Writes a flags document whole or not at all: a temporary file beside `file`, then a rename over it, so
 * a reader (or a crash) never sees half a file. Two-space JSON with a final newline, as the seed is kept.
 */
export async function writeFlagsFile(file: string, document: FlagsDocument): Promise<void> {
  const target = resolve(file)
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  try {
    await writeFile(temp, `${JSON.stringify(document, null, 2)}\n`)
    await rename(temp, target)
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
}
