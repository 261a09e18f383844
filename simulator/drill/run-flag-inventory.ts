import { join } from 'node:path'
import type { PostmortemFlags } from '../../postmortems/postmortem-schema.ts'
import {
  auditFlags,
  findCodeReferences,
  flagInventory,
  loadFlagsForAudit,
} from '../../services/flags/lifecycle/index.ts'
import { FiredrillError } from '../../services/platform/firedrill-error.ts'

/** Where a run keeps its service repository, and the flags file in it. */
const SANDBOX = 'sandbox'
const FLAGS_FILE = join('services', 'flags', 'flags.json')

/**
 * The flag inventory of the run in `dir`, for its postmortem: the flags file in the run's service repository
 * (`sandbox/`, which the drill leaves checked out on trunk), each flag with its flag debt as `flags audit`
 * judges it at `at` (code references from the same checkout). Null when the repository or its flags file is
 * gone or unreadable.
 */
export async function readRunFlagInventory(dir: string, at: Date): Promise<PostmortemFlags['inventory']> {
  const root = join(dir, SANDBOX)
  const file = join(root, FLAGS_FILE)
  let document: Awaited<ReturnType<typeof loadFlagsForAudit>>
  try {
    document = await loadFlagsForAudit(file)
  } catch (err) {
    if (err instanceof FiredrillError) return null
    throw err
  }
  const codeRefs = await findCodeReferences(root, Object.keys(document.flags), { exclude: [file] })
  const debt = new Map(auditFlags(document, { now: at, codeRefs }).map((d) => [d.key, d.reasons]))
  return {
    at: at.toISOString(),
    rows: flagInventory(document, { now: at }).map((row) => ({
      key: row.key,
      owner: row.owner,
      type: row.type,
      lifecycle: row.lifecycle,
      ageDays: row.ageDays,
      expiresAt: row.expiresAt,
      removalTicket: row.removalTicket,
      debt: (debt.get(row.key) ?? []).map((reason) => reason.code),
    })),
  }
}
