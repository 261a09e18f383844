import { readdir, readFile } from 'node:fs/promises'
import { join, relative, resolve, sep } from 'node:path'

export interface FindCodeReferencesOptions {
  /** Files left out (absolute, or relative to `root`), such as the flags file itself. */
  exclude?: readonly string[]
}

/** Folders never scanned: dependencies, and tests and their helpers (a test may name a retired key). */
const SKIPPED_DIRS = new Set(['node_modules', 'test', 'tests', '__tests__', 'testing'])
const TEST_FILE = /\.(test|spec)\.ts$/

/**
 * Where source code refers to each flag key: every `*.ts` file under `root` (not in node_modules, dot
 * folders or test folders, not a test file, not excluded) whose text holds the key. Returns key → the
 * files (relative to `root`, `/`-separated, sorted); a key no file names maps to an empty list.
 */
export async function findCodeReferences(
  root: string,
  keys: readonly string[],
  options: FindCodeReferencesOptions = {},
): Promise<Map<string, string[]>> {
  const base = resolve(root)
  const excluded = new Set((options.exclude ?? []).map((file) => resolve(base, file)))
  const found = new Map<string, string[]>(keys.map((key) => [key, []]))
  if (keys.length === 0) return found
  for (const file of await sourceFiles(base)) {
    if (excluded.has(file)) continue
    const text = await readFile(file, 'utf8')
    const name = relative(base, file).split(sep).join('/')
    for (const key of keys) if (text.includes(key)) found.get(key)?.push(name)
  }
  for (const files of found.values()) files.sort()
  return found
}

async function sourceFiles(dir: string): Promise<string[]> {
  const files: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) files.push(...(await sourceFiles(path)))
    } else if (entry.isFile() && entry.name.endsWith('.ts') && !TEST_FILE.test(entry.name)) files.push(path)
  }
  return files
}
