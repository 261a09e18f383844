import { join } from 'node:path'
import { commitPatchHere } from '../../gate/sandbox/sandbox-repo.ts'
import { DEFAULT_GATE_FLAGS_FILE } from '../../gate/steps/flag-inventory-step.ts'
import { retireFlagTitle } from '../../postmortems/action-items.ts'
import { buildPostmortem } from '../../postmortems/build-postmortem.ts'
import { git } from '../../record/git/git.ts'
import { loadRoster } from '../../record/scenario/team-roster.ts'
import type { FlagLifecycle } from '../../services/flags/flag-definition.ts'
import { findCodeReferences, transitionFlag, writeFlagsFile } from '../../services/flags/lifecycle/index.ts'
import { loadFlagsFile } from '../../services/flags/load-flags-file.ts'
import type { FollowUpOptions } from './follow-up-options.ts'
import { gateAndMerge } from './gate-branch.ts'

/**
 * After the loop closes, the release flag's close-out, on one branch cut from trunk:
 * 1. the flag marked `completed` in the service's flags file;
 * 2. the scenario's cleanup patch, which removes the code path the flag guarded;
 * 3. the flag marked `archived`, which is refused while any source file still names its key;
 * then the gate on the branch's head (its flag-debt step checks the same thing again) and a merge only on green.
 * Each commit carries the postmortem's retire-the-flag item and the flag's removal ticket as a `Refs:` trailer
 * (`Refs: AI-3, SHOP-101`), and `cleanup.merged` names the item, which makes it done. Journals `flag.lifecycle` for each stage,
 * `gate.finished` and `cleanup.merged`. Returns whether the close-out reached trunk; a scenario without a
 * cleanup patch leaves the flag active and returns false.
 */
export async function closeOutFlag(
  options: Pick<FollowUpOptions, 'loaded' | 'repo' | 'journal' | 'redisUrl' | 'say' | 'clock'>,
): Promise<boolean> {
  const { loaded, repo, journal, say } = options
  const cleanup = loaded.files['followUp.cleanup']
  const key = loaded.scenario.change.flag
  if (key === undefined) return false
  if (cleanup === undefined) {
    say(`no cleanup in the scenario: ${key} stays active`)
    return false
  }
  const file = join(repo.dir, DEFAULT_GATE_FLAGS_FILE)
  const ticket = (await loadFlagsFile(file)).flags[key]?.metadata.removalTicket
  // The commits name the postmortem's item they close (so it is done once they merge) and the flag's ticket.
  const roster = await loadRoster(loaded)
  const postmortem = buildPostmortem(journal.events, loaded.scenario, roster, { now: options.clock.now() })
  const item = postmortem.actionItems.find((i) => i.title === retireFlagTitle(key))
  const refs = [item?.id, ticket].filter((r): r is string => r !== undefined)
  const trailer = refs.length === 0 ? '' : `\n\nRefs: ${refs.join(', ')}`
  const branch = `cleanup/${key.replace(/[^A-Za-z0-9._-]/g, '-')}`
  // -B: a close-out tried before (and refused) starts again from today's trunk.
  await git(repo.dir, ['checkout', '-q', '-B', branch, repo.trunk])
  try {
    const moveOn = async (to: FlagLifecycle) => {
      const document = await loadFlagsFile(file)
      const from = document.flags[key]?.metadata.lifecycle ?? 'missing'
      const codeRefs =
        to === 'archived'
          ? await findCodeReferences(repo.dir, [key], { exclude: [file] })
          : new Map<string, string[]>()
      await writeFlagsFile(file, transitionFlag(document, key, to, { codeRefs }))
      await git(repo.dir, ['add', DEFAULT_GATE_FLAGS_FILE])
      await git(repo.dir, ['commit', '-q', '-m', `chore(flags): ${key} ${to}${trailer}`])
      const commit = await git(repo.dir, ['rev-parse', 'HEAD'])
      await journal.append({ type: 'flag.lifecycle', data: { key, from, to, branch, commit } })
      say(`${key}: ${from} → ${to} (${commit.slice(0, 12)})`)
    }

    await moveOn('completed')
    await commitPatchHere(repo, cleanup, `refactor: remove the ${key} code path${trailer}`)
    await moveOn('archived')
  } finally {
    await git(repo.dir, ['checkout', '-q', repo.trunk])
  }

  const env = { ...process.env, REDIS_URL: options.redisUrl }
  say(`close-out of ${key} committed on ${branch}; running the gate`)
  const { gate, blockedBy, merged } = await gateAndMerge(repo.dir, branch, env, (event) =>
    journal.append(event),
  )
  if (merged === null) {
    say(`gate RED on the close-out (stopped by ${blockedBy.join(', ')}): ${key} stays on trunk as it was`)
    return false
  }
  await journal.append({
    type: 'cleanup.merged',
    data: {
      branch,
      commit: merged.branchHead,
      trunk: merged.mergeCommit,
      flag: key,
      ...(item === undefined ? {} : { actionItem: item.id }),
      gate,
    },
  })
  say(`close-out merged: ${key} archived, its code path gone (trunk ${merged.mergeCommit.slice(0, 12)})`)
  return true
}
