import { spawn } from 'node:child_process'
import { git } from '../../record/git/git.ts'

export interface CommitFile {
  path: string
  /** The file's bytes as committed, cut at `maxBytes`. */
  bytes: Buffer
}

/**
 * The regular files `commit` holds under `paths` (all when empty), read from git's objects, not from any checkout
 * a step could have changed. Symlinks and submodules are left out; files over `maxBytes` are cut there.
 */
export async function commitFiles(
  top: string,
  commit: string,
  paths: readonly string[],
  maxBytes: number,
): Promise<CommitFile[]> {
  const listed = await git(top, ['ls-tree', '-r', '-z', '--full-tree', commit, '--', ...paths])
  const entries = listed
    .split('\0')
    .filter((line) => line !== '')
    .map((line) => {
      const [meta = '', path = ''] = line.split('\t')
      const [mode, type, object] = meta.split(' ')
      return { mode, type, object, path }
    })
    .filter((e) => e.type === 'blob' && e.mode !== '120000' && e.object !== undefined)
  if (entries.length === 0) return []
  const blobs = await readBlobs(
    top,
    entries.map((e) => e.object!),
  )
  return entries.map((e, i) => ({ path: e.path, bytes: blobs[i]!.subarray(0, maxBytes) }))
}

/** Every blob's content, through one `git cat-file --batch`. */
function readBlobs(top: string, objects: readonly string[]): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], { cwd: top, stdio: ['pipe', 'pipe', 'pipe'] })
    const chunks: Buffer[] = []
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.once('error', reject)
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`git cat-file --batch failed: ${stderr.trim()}`))
      const out = Buffer.concat(chunks)
      const blobs: Buffer[] = []
      let at = 0
      for (let i = 0; i < objects.length; i++) {
        const eol = out.indexOf(10, at)
        const header = out.subarray(at, eol).toString()
        const size = Number(header.split(' ')[2])
        if (!Number.isInteger(size)) return reject(new Error(`git cat-file --batch: unexpected "${header}"`))
        blobs.push(out.subarray(eol + 1, eol + 1 + size))
        at = eol + 1 + size + 1
      }
      resolve(blobs)
    })
    child.stdin.end(`${objects.join('\n')}\n`)
  })
}
