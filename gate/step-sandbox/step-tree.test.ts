import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { copyStepTree } from './step-tree.ts'

let dir: string | undefined
afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  dir = undefined
})

describe("a step's copy of the commit", () => {
  it('holds the files as they are, links as links never followed, node_modules linked and no .git', async () => {
    dir = await mkdtemp(join(tmpdir(), 'firedrill-step-tree-'))
    const checkout = join(dir, 'checkout')
    const outside = join(dir, 'outside.txt')
    await writeFile(outside, 'not the commit\n')
    await mkdir(join(checkout, 'src', 'deep'), { recursive: true })
    await mkdir(join(checkout, '.git'))
    await mkdir(join(dir, 'modules'))
    await writeFile(join(checkout, '.git', 'HEAD'), 'ref: refs/heads/main\n')
    await writeFile(join(checkout, 'src', 'deep', 'a.ts'), 'export const a = 1\n')
    await writeFile(join(checkout, '-leading-dash.txt'), 'kept\n')
    await writeFile(join(checkout, 'run.sh'), '#!/bin/sh\n')
    await chmod(join(checkout, 'run.sh'), 0o755)
    await symlink(outside, join(checkout, 'escape'))
    await symlink(join(dir, 'modules'), join(checkout, 'node_modules'), 'dir')

    const copy = join(dir, 'steps', '1-unit-tests')
    await copyStepTree(checkout, copy)
    expect(await readFile(join(copy, 'src', 'deep', 'a.ts'), 'utf8')).toBe('export const a = 1\n')
    expect(await readFile(join(copy, '-leading-dash.txt'), 'utf8')).toBe('kept\n')
    expect((await stat(join(copy, 'run.sh'))).mode & 0o111).toBe(0o111)
    expect((await lstat(join(copy, 'escape'))).isSymbolicLink()).toBe(true)
    expect(await readlink(join(copy, 'escape'))).toBe(outside)
    expect(await readlink(join(copy, 'node_modules'))).toBe(join(dir, 'modules'))
    await expect(lstat(join(copy, '.git'))).rejects.toMatchObject({ code: 'ENOENT' })
    // What the step writes stays in its copy.
    await writeFile(join(copy, 'src', 'deep', 'a.ts'), 'export const a = 2\n')
    expect(await readFile(join(checkout, 'src', 'deep', 'a.ts'), 'utf8')).toBe('export const a = 1\n')
  })
})
