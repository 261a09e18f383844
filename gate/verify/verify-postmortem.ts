import { resolveTrunk } from '../config/resolve-trunk.ts'
import { loadTrustedKeys } from '../ledger/trusted-keys.ts'
import { resolveCommit } from '../runner/resolve-commit.ts'
import type { GateEvent } from '../runner/run-gate.ts'
import type { SandboxMode } from '../step-sandbox/sandbox-state.ts'
import type { ItemVerdict } from './item-verdict.ts'
import { readVerifiablePostmortem } from './read-verifiable-postmortem.ts'
import { type ReplayOutcome, replayBadChange } from './replay-bad-change.ts'
import { verifyActionItems } from './verify-action-items.ts'

export interface VerifyPostmortemOptions {
  postmortemFile: string
  /** A directory inside the repository. */
  repo: string
  /**
   * The trunk branch to judge on, as it stands today: its gate file runs the replay and its firedrill-gate.pub
   * says whose records count. @defaultValue the trunk the gate file on `main` names
   */
  trunk?: string
  /** @defaultValue new Date() */
  now?: Date
  /** Run the loop check (replay of the bad change through the gate). @defaultValue true */
  replay?: boolean
  /** Record the replay's gate run in the ledger. @defaultValue false */
  recordReplay?: boolean
  /** Where REDIS_URL (and, with `recordReplay`, the signing key) are read. @defaultValue process.env */
  env?: NodeJS.ProcessEnv
  /** The replay's sandbox. @defaultValue 'auto' */
  sandbox?: SandboxMode
  /** The replay's gate steps as they start and finish. */
  onReplayEvent?: (event: GateEvent) => void
}

export interface LoopCheck {
  holds: boolean
  badCommit: string | null
  replayCommit: string | null
  /** The blocking steps that stopped the replay (empty when it went green or did not run). */
  blockedBy: string[]
  /** Why the loop does not hold, when it does not. */
  reason?: string
  replay?: ReplayOutcome
}

export interface VerifyResult {
  holds: boolean
  trunk: string
  items: ItemVerdict[]
  /** null when the replay was not asked for (`replay: false`). */
  loop: LoopCheck | null
}

async function loopCheck(
  top: string,
  trunk: string,
  badCommit: string | undefined,
  options: VerifyPostmortemOptions,
): Promise<LoopCheck> {
  if (badCommit === undefined)
    return {
      holds: false,
      badCommit: null,
      replayCommit: null,
      blockedBy: [],
      reason: 'not possible: the postmortem names no bad change (change.commit); nothing to replay',
    }
  const replay = await replayBadChange({
    repo: top,
    trunk,
    badCommit,
    record: options.recordReplay ?? false,
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.sandbox === undefined ? {} : { sandbox: options.sandbox }),
    ...(options.onReplayEvent === undefined ? {} : { onEvent: options.onReplayEvent }),
  })
  const base = { badCommit, replayCommit: replay.replayCommit, blockedBy: replay.blockedBy, replay }
  if (replay.replayed.length === 0)
    return {
      ...base,
      holds: false,
      reason: `the bad change ${badCommit.slice(0, 12)} changed only tests (or nothing): there is no code to replay`,
    }
  if (replay.sameAsTrunk)
    return {
      ...base,
      holds: false,
      reason: `${trunk} still holds the code of the bad change ${badCommit.slice(0, 12)}: a red replay would prove nothing; merge the fix first`,
    }
  if (replay.green)
    return {
      ...base,
      holds: false,
      reason: `the replay of ${badCommit.slice(0, 12)} on ${trunk} went green: nothing on trunk stops the bad change today`,
    }
  return { ...base, holds: true }
}

/**
 * Holds a postmortem against its repository: every action item (merged through the gate, or open and not yet
 * due), and the loop check (the bad change replayed on trunk must be red). `holds` is all of them together.
 */
export async function verifyPostmortem(options: VerifyPostmortemOptions): Promise<VerifyResult> {
  const postmortem = await readVerifiablePostmortem(options.postmortemFile)
  const { top } = await resolveCommit(options.repo, 'HEAD')
  const trunk = await resolveTrunk(top, options.trunk)
  await resolveCommit(top, trunk)
  const items = await verifyActionItems({
    repo: top,
    trunk,
    items: postmortem.actionItems,
    now: options.now ?? new Date(),
    trust: await loadTrustedKeys(top, trunk),
  })
  const loop =
    options.replay === false
      ? null
      : await loopCheck(top, trunk, postmortem.change?.commit ?? undefined, options)
  return { holds: items.every((i) => i.holds) && (loop?.holds ?? true), trunk, items, loop }
}
