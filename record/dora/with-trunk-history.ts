import { changesBetween, changesFromGit, hasCommit, type TrunkHistory } from './changes-from-git.ts'
import { type DoraChange, type DoraDeployment, type DoraEvents, PRODUCTION } from './dora-events.ts'
import { mergeChanges } from './merge-changes.ts'

/**
 * `events` with the trunk history of each repository added:
 * - every non-merge commit reachable from each trunk joins the changes (`changesFromGit`); one change per id,
 *   the earliest time wins (`mergeChanges`);
 * - a production deployment with a `commit` and no `changes` carries the non-merge commits reachable from its
 *   commit and not from the commit of the previous production deployment (by time) that has one; the first
 *   such deployment carries every commit reachable from its own. The first repository holding the commit
 *   answers; a previous commit that repository lacks counts as none. A deployment whose commit no repository
 *   holds keeps its empty list. Deployments that list their changes keep them as they are.
 */
export async function withTrunkHistory(
  events: DoraEvents,
  repos: readonly TrunkHistory[],
): Promise<DoraEvents> {
  const fromTrunks = await Promise.all(repos.map((r) => changesFromGit(r.repoDir, r.trunk)))
  const derived: DoraChange[] = []
  const changesOf = new Map<DoraDeployment, string[]>()
  const production = events.deployments
    .filter((d) => d.environment === PRODUCTION)
    .sort((a, b) => Date.parse(a.time_created) - Date.parse(b.time_created))
  let previous: string | null = null
  for (const d of production) {
    const commit = d.commit ?? ''
    if (commit === '') continue
    if (d.changes.length === 0) {
      const repo = await firstHolding(repos, commit)
      if (repo !== undefined) {
        const since = previous !== null && (await hasCommit(repo, previous)) ? previous : null
        const carried = await changesBetween(repo, commit, since)
        derived.push(...carried)
        changesOf.set(d, carried.map((c) => c.change_id).reverse())
      }
    }
    previous = commit
  }
  return {
    changes: mergeChanges(events.changes, ...fromTrunks, derived),
    deployments: events.deployments.map((d) => {
      const changes = changesOf.get(d)
      return changes === undefined ? d : { ...d, changes }
    }),
    incidents: events.incidents,
  }
}

async function firstHolding(repos: readonly TrunkHistory[], commit: string): Promise<string | undefined> {
  for (const r of repos) if (await hasCommit(r.repoDir, commit)) return r.repoDir
  return undefined
}
