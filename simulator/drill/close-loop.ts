import { commitPatch } from '../../gate/sandbox/sandbox-repo.ts'
import { verifyPostmortem } from '../../gate/verify/verify-postmortem.ts'
import { buildPostmortem } from '../../postmortems/build-postmortem.ts'
import { writePostmortem } from '../../postmortems/write-postmortem.ts'
import { loadRoster } from '../../record/scenario/team-roster.ts'
import type { FollowUpOptions } from './follow-up-options.ts'
import { gateAndMerge } from './gate-branch.ts'

/**
 * After the incident, the loop: the scenario's fix (the repair and the test that would have caught the change)
 * is committed on a branch with a `Refs: AI-n` trailer for the first prevent item, gated, and merged only when
 * green; then the verifier holds every action item against the repository and replays the bad change's code on
 * today's trunk, which the gate must now stop. Returns whether the loop closed.
 */
export async function closeLoop(options: FollowUpOptions): Promise<boolean> {
  const { loaded, repo, journal, say } = options
  const fix = options.fix?.patch ?? loaded.files['followUp.fix']
  if (fix === undefined) {
    say('no fix in the scenario: the loop cannot close')
    return false
  }
  const roster = await loadRoster(loaded)
  const interim = () => buildPostmortem(journal.events, loaded.scenario, roster, { now: options.clock.now() })
  const item = interim().actionItems.find((i) => i.type === 'prevent')
  if (item === undefined) {
    say('no prevent action item: the loop cannot close')
    return false
  }
  const env = options.redisUrl === undefined ? process.env : { ...process.env, REDIS_URL: options.redisUrl }

  const branch = `fix/${item.id}`
  const from = options.fix?.from === undefined ? '' : `${options.fix.from}\n\n`
  const head = await commitPatch(repo, fix, branch, `fix: ${item.title}\n\n${from}Refs: ${item.id}`)
  say(`fix for ${item.id} committed on ${branch} (${head.slice(0, 12)}); running the gate`)
  const { gate, merged } = await gateAndMerge(repo.dir, branch, env, (event) => journal.append(event))
  say(`gate ${merged !== null ? 'green' : 'RED'} on the fix`)
  if (merged === null) return false
  await journal.append({
    type: 'fix.merged',
    data: { branch, commit: merged.branchHead, trunk: merged.mergeCommit, actionItem: item.id, gate },
  })

  // The verifier reads the postmortem as it now stands (the fix merged), like a reviewer would. A dependency's
  // fault has no bad change of ours to replay through the gate: its replay is the fault itself, on the fixed
  // trunk (`firedrill run --again`), where the shop must ride it out without a page.
  const external = loaded.scenario.change.fault.kind === 'provider-degraded'
  const written = await writePostmortem(options.outDir, interim())
  const verdict = await verifyPostmortem({
    postmortemFile: written.json,
    repo: repo.dir,
    trunk: repo.trunk,
    env,
    now: new Date(options.clock.now()),
    ...(external ? { replay: false } : {}),
  })
  if (verdict.loop !== null && verdict.loop.replayCommit !== null) {
    await journal.append({
      type: 'replay.gated',
      data: {
        commit: verdict.loop.replayCommit,
        green: verdict.loop.replay?.green ?? false,
        blockedBy: verdict.loop.blockedBy,
      },
    })
  }
  await journal.append({
    type: 'verify.finished',
    data: {
      holds: verdict.holds,
      items: verdict.items.map((i) => ({
        id: i.id,
        status: i.status,
        holds: i.holds,
        reasons: i.reasons.map((r) => r.text),
      })),
      loop: external
        ? { holds: true, blockedBy: [], replay: 'not-applicable' }
        : { holds: verdict.loop?.holds ?? false, blockedBy: verdict.loop?.blockedBy ?? [] },
    },
  })
  say(
    `verify: ${verdict.holds ? 'every item holds' : 'some items fall short'}; ${
      external
        ? 'no change of ours to replay (run --again to replay the provider fault on the fixed trunk)'
        : `replay of the bad change ${verdict.loop?.holds ? `blocked by ${verdict.loop.blockedBy.join(', ')}` : `NOT blocked (${verdict.loop?.reason ?? 'no verdict'})`}`
    }`,
  )
  return verdict.holds
}
