import { createHash } from 'node:crypto'
import { readdir, readFile, readlink } from 'node:fs/promises'
import { join } from 'node:path'
import { MANIFEST_FILE, type ManifestFile } from './artifact.ts'

/** sha256 over the sorted `path\0sha256\n` lines; the order the files come in does not matter. */
export function contentHash(files: readonly Pick<ManifestFile, 'path' | 'sha256'>[]): string {
  const lines = files.map((f) => `${f.path}\0${f.sha256}\n`).sort(compareCodeUnits)
  const hash = createHash('sha256')
  for (const line of lines) hash.update(line)
  return hash.digest('hex')
}

/** Every file under an artifact's root with its size and sha256, sorted by path (not the manifest, not node_modules). */
export async function hashFiles(root: string): Promise<ManifestFile[]> {
  const files: ManifestFile[] = []
  const walk = async (dir: string, rel: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true })
    for (const entry of entries) {
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`
      if (rel === '' && (entry.name === MANIFEST_FILE || entry.name === 'node_modules')) continue
      const full = join(dir, entry.name)
      if (entry.isDirectory()) {
        await walk(full, path)
      } else if (entry.isSymbolicLink()) {
        const target = Buffer.from(await readlink(full))
        files.push({ path, size: target.length, sha256: sha256(target) })
      } else {
        const bytes = await readFile(full)
        files.push({ path, size: bytes.length, sha256: sha256(bytes) })
      }
    }
  }
  await walk(root, '')
  return files.sort((a, b) => compareCodeUnits(a.path, b.path))
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** Plain code-unit order, the same on every machine and locale. */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
