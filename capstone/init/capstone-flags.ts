import { join } from 'node:path'
import { DEFAULT_GATE_FLAGS_FILE } from '../../gate/steps/flag-inventory-step.ts'
import { FLAG_TYPE_LIFETIME_DAYS, writeFlagsFile } from '../../services/flags/lifecycle/index.ts'
import { loadFlagsFile } from '../../services/flags/load-flags-file.ts'

const DAY_MS = 86_400_000
/** A permanent flag (a kill switch) still gets an expiry in a capstone: the day its need is reviewed. */
const REVIEW_DAYS = 365
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10)

/**
 * The capstone's flags file: the shop's flags, each with an owner, a removal ticket (`CAPSTONE-n`) and an expiry,
 * dated from `now` (a temporary flag lives its type's lifetime, a permanent one is reviewed in a year), so the
 * gate's flag-inventory and flag-debt steps pass on the first commit.
 */
export async function capstoneFlags(repoDir: string, now: number): Promise<string> {
  const file = join(repoDir, DEFAULT_GATE_FLAGS_FILE)
  const document = await loadFlagsFile(file)
  const flags = Object.fromEntries(
    Object.entries(document.flags).map(([key, flag], i) => {
      const lifetime = FLAG_TYPE_LIFETIME_DAYS[flag.metadata.type] ?? REVIEW_DAYS
      const metadata = {
        ...flag.metadata,
        owner: flag.metadata.owner ?? 'team-checkout',
        createdAt: isoDay(now),
        expiresAt: isoDay(now + lifetime * DAY_MS),
        removalTicket: flag.metadata.removalTicket ?? `CAPSTONE-${i + 1}`,
      }
      return [key, { ...flag, metadata }]
    }),
  )
  await writeFlagsFile(file, { ...document, flags })
  return DEFAULT_GATE_FLAGS_FILE
}
