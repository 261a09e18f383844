import { eventsOf, type JournalEvent } from '../record/journal/journal-event.ts'
import type { ChangePath } from './postmortem-schema.ts'

/**
 * The bad change's path as the journal records it: committed on its branch, gated, merged into trunk, built
 * into an artifact and deployed. `commit` is the change's own commit on its branch (what a replay puts back on
 * trunk). Null when the journal records no committed or merged change; of the later steps, those it lacks are
 * absent (`trunk`), null (`gate`, `artifact`) or empty (`environments`).
 */
export function changePathOf(events: readonly JournalEvent[], fallbackTitle: string): ChangePath | null {
  const committed = eventsOf(events, 'change.committed')[0]
  const merged = eventsOf(events, 'change.merged').find(
    (m) => committed === undefined || m.data.commit === committed.data.commit,
  )
  const commit = committed?.data.commit ?? merged?.data.commit
  if (commit === undefined) return null
  const gate = eventsOf(events, 'gate.finished')
    .filter((g) => g.data.commit === commit)
    .at(-1)
  const trunk = merged?.data.trunk
  const built =
    trunk === undefined ? undefined : eventsOf(events, 'artifact.built').find((a) => a.data.commit === trunk)
  const environments = eventsOf(events, 'change.deployed')
    .filter((d) => trunk !== undefined && d.data.commit === trunk && d.data.environment !== undefined)
    .map((d) => d.data.environment as string)
  return {
    title: committed?.data.title ?? fallbackTitle,
    branch: committed?.data.branch ?? merged?.data.branch ?? '',
    commit,
    ...(trunk === undefined ? {} : { trunk }),
    gate:
      gate === undefined
        ? null
        : {
            commit: gate.data.commit,
            tree: gate.data.tree,
            green: gate.data.green,
            steps: gate.data.steps.map((s) => ({ name: s.name, status: s.status, durationMs: s.durationMs })),
          },
    artifact: built === undefined ? null : { commit: built.data.commit, contentHash: built.data.contentHash },
    environments: [...new Set(environments)],
  }
}
