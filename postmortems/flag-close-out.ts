import { eventsOf, type JournalEvent } from '../record/journal/journal-event.ts'
import { table } from './markdown-table.ts'
import type { PostmortemFlags } from './postmortem-schema.ts'

/**
 * The release flag's close-out as the journal tells it: the lifecycle stages committed for `flag` and the
 * cleanup merge. The stages hold on trunk only once the cleanup merged; without the merge they stayed on
 * their branch. `inventory` comes from the caller (the flags file on the run's trunk), or null.
 */
export function flagsOf(
  events: readonly JournalEvent[],
  flag: string | undefined,
  inventory: PostmortemFlags['inventory'],
): PostmortemFlags {
  const stages = eventsOf(events, 'flag.lifecycle')
    .filter((e) => e.data.key === flag)
    .map((e) => ({ to: e.data.to, commit: e.data.commit, at: e.at }))
  const merged = eventsOf(events, 'cleanup.merged').find((e) => e.data.flag === flag)
  const cleanup =
    merged === undefined
      ? null
      : { branch: merged.data.branch, commit: merged.data.commit, trunk: merged.data.trunk, at: merged.at }
  const status = cleanup !== null ? 'closed-out' : stages.length > 0 ? 'not-merged' : 'not-attempted'
  return { flag: flag ?? null, closeOut: { status, stages, cleanup }, inventory }
}

const short = (commit: string) => `\`${commit.slice(0, 12)}\``
const orNone = (text: string | number | null) => (text === null ? '—' : String(text))

/** The "Flags" section's body: the close-out in a sentence and its stages, then the inventory table. */
export function flagsMarkdown(flags: PostmortemFlags): string {
  const { closeOut, flag } = flags
  const story =
    flag === null
      ? 'The change shipped without a release flag (a rolling release): there was no flag to turn off during the incident and none to close out.'
      : closeOut.status === 'closed-out'
        ? `\`${flag}\` is closed out: marked completed, its code path removed by a cleanup change that passed the gate (including its flag-debt step), and archived; branch \`${closeOut.cleanup!.branch}\` merged to trunk as ${short(closeOut.cleanup!.trunk)}.`
        : closeOut.status === 'not-merged'
          ? `\`${flag}\`'s close-out did not reach trunk (the timeline shows whether archiving was refused or the gate was red): the flag stays active on trunk and is still flag debt to pay.`
          : `\`${flag}\` was not closed out in this run (the follow-up did not get that far, or the scenario has no cleanup): it stays active on trunk.`
  const stages =
    closeOut.stages.length === 0
      ? ''
      : table(
          ['Stage', 'Commit', 'At'],
          closeOut.stages.map((s) => [s.to, short(s.commit), s.at]),
        )
  const inventory =
    flags.inventory === null
      ? "The flag inventory was not read: the run's repository (`sandbox/`) is gone, or this document was built from the journal alone; `firedrill report RUN_DIR` reads it."
      : [
          `The flags file on trunk, judged at ${flags.inventory.at}:`,
          table(
            ['Flag', 'Owner', 'Type', 'Stage', 'Age (days)', 'Expires', 'Removal ticket', 'Flag debt'],
            flags.inventory.rows.map((r) => [
              `\`${r.key}\``,
              orNone(r.owner),
              orNone(r.type),
              orNone(r.lifecycle),
              orNone(r.ageDays),
              orNone(r.expiresAt),
              orNone(r.removalTicket),
              r.debt.length === 0 ? 'none' : r.debt.join(', '),
            ]),
          ),
        ].join('\n\n')
  return [story, stages, inventory].filter((part) => part !== '').join('\n\n')
}
