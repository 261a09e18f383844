import type { DoraChange } from './dora-events.ts'

/**
 * One change per `change_id`, in first-seen order: the earliest `time_created` wins, with its `source`;
 * `fixes_incidents` is the union of every record's, so a fix seen first in git still fixes its incident.
 */
export function mergeChanges(...lists: readonly (readonly DoraChange[])[]): DoraChange[] {
  const merged = new Map<string, DoraChange>()
  for (const change of lists.flat()) {
    const known = merged.get(change.change_id)
    if (known === undefined) {
      merged.set(change.change_id, change)
      continue
    }
    const earliest = Date.parse(change.time_created) < Date.parse(known.time_created) ? change : known
    const fixes = [...new Set([...(known.fixes_incidents ?? []), ...(change.fixes_incidents ?? [])])]
    const { fixes_incidents: _, ...rest } = earliest
    merged.set(change.change_id, fixes.length === 0 ? rest : { ...rest, fixes_incidents: fixes })
  }
  return [...merged.values()]
}
