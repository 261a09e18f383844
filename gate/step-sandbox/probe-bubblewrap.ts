import { execFile } from 'node:child_process'
import { access, constants } from 'node:fs/promises'
import { delimiter, join } from 'node:path'
import { baseSandboxArgs } from './bubblewrap-args.ts'

export type BubblewrapProbe = { ok: true; path: string } | { ok: false; reason: string }

const probes = new Map<string, Promise<BubblewrapProbe>>()

async function findExecutable(name: string, path: string): Promise<string | undefined> {
  const candidates = name.includes('/') ? [name] : path.split(delimiter).map((dir) => join(dir, name))
  for (const candidate of candidates) {
    const found = await access(candidate, constants.X_OK).then(
      () => true,
      () => false,
    )
    if (found) return candidate
  }
  return undefined
}

/**
 * Whether bubblewrap can sandbox a step on this machine: the executable is there and it can make the
 * namespaces a step runs in (user, pid, network, mount), tried once with `true`. Remembered per executable.
 */
export function probeBubblewrap(
  bwrap = 'bwrap',
  path = process.env.PATH ?? '/usr/bin:/bin',
): Promise<BubblewrapProbe> {
  const key = `${bwrap}\0${path}`
  let probe = probes.get(key)
  if (probe === undefined) {
    probe = (async (): Promise<BubblewrapProbe> => {
      const exe = await findExecutable(bwrap, path)
      if (exe === undefined) return { ok: false, reason: `bubblewrap (${bwrap}) is not installed` }
      return new Promise((resolve) => {
        execFile(
          exe,
          [...baseSandboxArgs(), '--', '/usr/bin/true'],
          { timeout: 5000 },
          (err, _out, stderr) => {
            if (err === null) resolve({ ok: true, path: exe })
            else
              resolve({
                ok: false,
                reason: `bubblewrap cannot create namespaces here (${(stderr || err.message).trim().split('\n')[0]})`,
              })
          },
        )
      })
    })()
    probes.set(key, probe)
  }
  return probe
}
