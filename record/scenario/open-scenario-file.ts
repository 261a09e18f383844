import { constants } from 'node:fs'
import { open, realpath } from 'node:fs/promises'
import { isAbsolute, relative, sep } from 'node:path'

/** Why a file could not be read as a scenario file. */
export type ScenarioFileProblem =
  | { kind: 'missing' }
  /** It resolves (through `..` or a symlink) to `resolved`, outside the folder it must stay in. */
  | { kind: 'outside'; resolved: string }
  /** A directory, FIFO, socket or device: `what` says which. */
  | { kind: 'not-regular'; what: string }
  | { kind: 'too-large'; bytes: number; limit: number }
  | { kind: 'unreadable'; cause: unknown }

export type ScenarioFileRead =
  | { ok: true /** The file's real path. */; path: string; bytes: Buffer }
  | { ok: false; problem: ScenarioFileProblem }

export interface OpenScenarioFileOptions {
  /** The folder the file must resolve into (its real path is compared). @defaultValue anywhere */
  confineTo?: string
  /** Larger files are refused without being read past the limit. */
  maxBytes: number
}

/**
 * The one place a scenario's files are opened: the scenario itself and every file it names. Only a regular
 * file is read, and only up to `maxBytes`; it is opened with O_NONBLOCK, so a FIFO is refused at once instead
 * of blocking, and with O_NOFOLLOW on its real path, so a symlink swapped in after the check is not followed.
 */
export async function openScenarioFile(
  path: string,
  options: OpenScenarioFileOptions,
): Promise<ScenarioFileRead> {
  let real: string
  try {
    real = await realpath(path)
  } catch (cause) {
    return { ok: false, problem: missingOr(cause) }
  }
  if (options.confineTo !== undefined) {
    let folder: string
    try {
      folder = await realpath(options.confineTo)
    } catch (cause) {
      return { ok: false, problem: { kind: 'unreadable', cause } }
    }
    if (!isWithin(folder, real)) return { ok: false, problem: { kind: 'outside', resolved: real } }
  }

  let handle: Awaited<ReturnType<typeof open>>
  try {
    handle = await open(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW)
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ELOOP') {
      return { ok: false, problem: { kind: 'outside', resolved: real } }
    }
    return { ok: false, problem: missingOr(cause) }
  }
  try {
    const stat = await handle.stat()
    if (!stat.isFile()) return { ok: false, problem: { kind: 'not-regular', what: fileKind(stat) } }
    if (stat.size > options.maxBytes) {
      return { ok: false, problem: { kind: 'too-large', bytes: stat.size, limit: options.maxBytes } }
    }
    // Read one byte past the limit, in case the file grew since fstat.
    const buffer = Buffer.alloc(options.maxBytes + 1)
    let length = 0
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length)
      if (bytesRead === 0) break
      length += bytesRead
      if (length === buffer.length) break
    }
    if (length > options.maxBytes) {
      return { ok: false, problem: { kind: 'too-large', bytes: length, limit: options.maxBytes } }
    }
    return { ok: true, path: real, bytes: buffer.subarray(0, length) }
  } catch (cause) {
    return { ok: false, problem: { kind: 'unreadable', cause } }
  } finally {
    await handle.close()
  }
}

/** True when `path` is `folder` itself or inside it (both real paths). */
function isWithin(folder: string, path: string): boolean {
  const rel = relative(folder, path)
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`))
}

function missingOr(cause: unknown): ScenarioFileProblem {
  const code = (cause as NodeJS.ErrnoException).code
  return code === 'ENOENT' || code === 'ENOTDIR' ? { kind: 'missing' } : { kind: 'unreadable', cause }
}

function fileKind(stat: {
  isDirectory(): boolean
  isFIFO(): boolean
  isSocket(): boolean
  isCharacterDevice(): boolean
  isBlockDevice(): boolean
}): string {
  if (stat.isDirectory()) return 'directory'
  if (stat.isFIFO()) return 'FIFO (named pipe)'
  if (stat.isSocket()) return 'socket'
  if (stat.isCharacterDevice()) return 'character device'
  if (stat.isBlockDevice()) return 'block device'
  return 'special file'
}
