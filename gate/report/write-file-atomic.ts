import { randomBytes } from 'node:crypto'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'

/** Writes a file whole or not at all: a temporary file beside it, then a rename over it. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const target = resolve(file)
  await mkdir(dirname(target), { recursive: true })
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  try {
    await writeFile(temp, text)
    await rename(temp, target)
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
}
