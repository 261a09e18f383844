import { readdir, readFile } from 'node:fs/promises'
import { dirname, join, normalize, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..')

/**
 * The parts of the project, top to bottom. A part may import its own files and any part on a lower layer,
 * never one on its own layer or above: arrows between parts point one way (README, "Layers"). `test/` and
 * the fault suite sit above everything and are not checked.
 */
const LAYERS: ReadonlyArray<{ layer: number; parts: readonly string[] }> = [
  { layer: 0, parts: ['bin'] },
  { layer: 1, parts: ['scripts', 'bench'] },
  // The training console runs a drill (it answers its page); nothing below it knows the console exists.
  { layer: 2, parts: ['capstone', 'training'] },
  { layer: 3, parts: ['simulator/drill'] },
  { layer: 4, parts: ['gate', 'postmortems', 'simulator/target'] },
  { layer: 5, parts: ['simulator/detection', 'simulator/traffic', 'simulator/fault-proxy'] },
  { layer: 6, parts: ['record'] },
  { layer: 7, parts: ['services'] },
  // Data, not code: the built-in scenarios (YAML and patches), found by path.
  { layer: 8, parts: ['simulator/scenarios'] },
]
const CHECKED = [
  'bin',
  'scripts',
  'bench',
  'capstone',
  'training',
  'simulator',
  'gate',
  'postmortems',
  'record',
  'services',
]

/** The part a file belongs to: the longest part name its path starts with. */
function partOf(file: string): string | undefined {
  let best: string | undefined
  for (const { parts } of LAYERS)
    for (const part of parts)
      if ((file === part || file.startsWith(`${part}/`)) && (best === undefined || part.length > best.length))
        best = part
  return best
}

function layerOf(part: string): number {
  return LAYERS.find((l) => l.parts.includes(part))!.layer
}

const IMPORT = /(?:from\s+|import\s*\(\s*|new URL\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g

async function sourceFiles(): Promise<string[]> {
  const files: string[] = []
  for (const top of CHECKED) {
    for (const entry of await readdir(join(ROOT, top), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !/\.(ts|js|mjs)$/.test(entry.name)) continue
      const file = relative(ROOT, join(entry.parentPath, entry.name))
      // Tests and test fixtures may reach anywhere, like test/.
      if (/\.test\.ts$/.test(file) || /(^|\/)testing\//.test(file)) continue
      files.push(file)
    }
  }
  return files
}

/** Every import from one part into another: `from → to (file)`. */
async function crossPartImports(): Promise<
  Array<{ from: string; to: string; file: string; target: string }>
> {
  const found: Array<{ from: string; to: string; file: string; target: string }> = []
  for (const file of await sourceFiles()) {
    const text = await readFile(join(ROOT, file), 'utf8')
    for (const match of text.matchAll(IMPORT)) {
      const target = normalize(join(dirname(file), match[1]!))
      const from = partOf(file)
      const to = partOf(target) ?? target.split('/')[0]!
      if (from !== undefined && from !== to) found.push({ from, to, file, target })
    }
  }
  return found
}

describe('layers', () => {
  it('every import between parts points down, never up or sideways', async () => {
    const imports = await crossPartImports()
    expect(imports.length).toBeGreaterThan(50)
    const wrong = imports
      .filter(({ from, to }) => partOf(to) === undefined || layerOf(from) >= layerOf(to))
      .map(({ file, target }) => `${file} → ${target}`)
    expect(wrong).toEqual([])
  })

  it('the shop (services/) imports nothing outside itself, so it runs on its own', async () => {
    const imports = await crossPartImports()
    expect(imports.filter((i) => i.from === 'services').map((i) => `${i.file} → ${i.target}`)).toEqual([])
  })
})
