import { join } from 'node:path'
import type { SandboxRepo } from '../../gate/sandbox/sandbox-repo.ts'
import { DEFAULT_GATE_FLAGS_FILE } from '../../gate/steps/flag-inventory-step.ts'
import { git } from '../../record/git/git.ts'
import { FLAG_TYPE_LIFETIME_DAYS, writeFlagsFile } from '../../services/flags/lifecycle/index.ts'
import { loadFlagsFile } from '../../services/flags/load-flags-file.ts'

const DAY_MS = 86_400_000
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10)

/**
 * Dates the drill's release flag from the drill's own start, as a team creates a flag for the release it
 * guards: `createdAt` is the day the drill starts and `expiresAt` that day plus the flag type's lifetime
 * (40 days for a release flag). Committed on trunk as its own change, so the gate's flag-debt step judges
 * every drill's flag by the same rule, whatever the day. A permanent flag type, a flag the file does not
 * hold, or one dated so already, is left alone; returns the commit, or null when nothing changed.
 */
export async function mintReleaseFlag(repo: SandboxRepo, key: string, now: number): Promise<string | null> {
  const file = join(repo.dir, DEFAULT_GATE_FLAGS_FILE)
  const document = await loadFlagsFile(file)
  const flag = Object.hasOwn(document.flags, key) ? document.flags[key] : undefined
  const lifetime = flag === undefined ? null : FLAG_TYPE_LIFETIME_DAYS[flag.metadata.type]
  if (flag === undefined || lifetime === null) return null
  const createdAt = isoDay(now)
  const expiresAt = isoDay(now + lifetime * DAY_MS)
  // Dated so already (a drill on the day the flag was created): nothing to commit.
  if (flag.metadata.createdAt === createdAt && flag.metadata.expiresAt === expiresAt) return null
  await writeFlagsFile(file, {
    ...document,
    flags: { ...document.flags, [key]: { ...flag, metadata: { ...flag.metadata, createdAt, expiresAt } } },
  })
  await git(repo.dir, ['checkout', '-q', repo.trunk])
  await git(repo.dir, ['add', DEFAULT_GATE_FLAGS_FILE])
  await git(repo.dir, [
    'commit',
    '-q',
    '-m',
    `chore(flags): ${key} created for this release, expires ${expiresAt}`,
  ])
  return git(repo.dir, ['rev-parse', 'HEAD'])
}
