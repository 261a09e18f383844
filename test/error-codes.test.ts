import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..')
const PARTS = ['services', 'record', 'simulator', 'gate', 'postmortems', 'scripts', 'capstone', 'training']

async function registries(): Promise<string[]> {
  const found: string[] = []
  for (const part of PARTS) {
    for (const entry of await readdir(join(ROOT, part), { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && /(^|-)errors\.ts$/.test(entry.name))
        found.push(join(entry.parentPath, entry.name))
    }
  }
  return found
}

describe('error codes', () => {
  it('are defined once across every registry, so a code names exactly one failure', async () => {
    const owners = new Map<string, string[]>()
    for (const file of await registries()) {
      const text = await readFile(file, 'utf8')
      for (const match of text.matchAll(/^\s+[A-Z][A-Z0-9_]*:\s*'(FIREDRILL_[A-Z0-9_]+)'/gm)) {
        const code = match[1]!
        owners.set(code, [...(owners.get(code) ?? []), relative(ROOT, file)])
      }
    }
    expect(owners.size).toBeGreaterThan(20)
    const reused = [...owners].filter(([, files]) => files.length > 1)
    expect(reused).toEqual([])
  })
})
