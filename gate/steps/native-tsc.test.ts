import { execFile } from 'node:child_process'
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../sandbox/sandbox-repo.ts'
import { nativeTsc } from './native-tsc.ts'

const execFileAsync = promisify(execFile)

let dir: string | undefined
afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  dir = undefined
})

/** A step copy whose node_modules holds typescript at `version` and, if asked, a platform package's executable. */
async function copyWith(version: string, exeUnder?: string): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'firedrill-native-tsc-'))
  await mkdir(join(dir, 'node_modules', 'typescript'), { recursive: true })
  await writeFile(join(dir, 'node_modules', 'typescript', 'package.json'), JSON.stringify({ version }))
  if (exeUnder !== undefined) {
    const lib = join(dir, exeUnder, '@typescript', 'typescript-linux-x64', 'lib')
    await mkdir(lib, { recursive: true })
    await writeFile(join(lib, 'tsc'), '#!/bin/sh\n')
    await chmod(join(lib, 'tsc'), 0o755)
  }
  return dir
}

describe('the native TypeScript compiler for the typecheck', () => {
  it("is the one this project's tsc starts, and says the same version", async () => {
    const exe = await nativeTsc(PROJECT_ROOT)
    expect(exe).toBeDefined()
    const viaLauncher = await execFileAsync(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsc'), ['--version'])
    expect((await execFileAsync(exe!, ['--version'])).stdout).toBe(viaLauncher.stdout)
  })

  it('is found beside the typescript package or above it, for the platform asked', async () => {
    const nested = await copyWith('7.0.2', join('node_modules', 'typescript', 'node_modules'))
    expect(await nativeTsc(nested, 'linux', 'x64')).toBe(
      join(
        nested,
        'node_modules',
        'typescript',
        'node_modules',
        '@typescript',
        'typescript-linux-x64',
        'lib',
        'tsc',
      ),
    )
    await rm(nested, { recursive: true, force: true })
    const hoisted = await copyWith('7.1.0', 'node_modules')
    expect(await nativeTsc(hoisted, 'linux', 'x64')).toContain(join('node_modules', '@typescript'))
    expect(await nativeTsc(hoisted, 'darwin', 'arm64')).toBeUndefined()
  })

  it('is not there before TypeScript 7, nor without the platform package, nor without typescript', async () => {
    expect(await nativeTsc(await copyWith('5.9.3', 'node_modules'), 'linux', 'x64')).toBeUndefined()
    await rm(dir!, { recursive: true, force: true })
    expect(await nativeTsc(await copyWith('7.0.2'), 'linux', 'x64')).toBeUndefined()
    await rm(dir!, { recursive: true, force: true })
    dir = await mkdtemp(join(tmpdir(), 'firedrill-native-tsc-'))
    expect(await nativeTsc(dir)).toBeUndefined()
  })
})
