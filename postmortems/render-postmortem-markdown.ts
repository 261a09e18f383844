import { doraMarkdown } from './dora-markdown.ts'
import { flagsMarkdown } from './flag-close-out.ts'
import { list, table } from './markdown-table.ts'
import { formatMs, formatPct, formatRatio } from './postmortem-format.ts'
import type { ChangePath, MistakeLog, Postmortem } from './postmortem-schema.ts'

const STATUS_WORDS: Record<Postmortem['status'], string> = {
  recovered: 'Recovered; action items open',
  'not-recovered': 'Not recovered during the drill; action items open',
  aborted: 'Drill aborted by a stop condition; action items open',
  crashed: "Crashed: the drill's process died before it finished; the shop put back what it had turned on",
  incomplete: 'Incomplete: the journal ends before the drill finished',
  prevented:
    'Prevented: the change was stopped before production, or rolled back by the post-deploy watch before anybody was paged, and the same workload caused no incident',
}

const short = (commit: string) => `\`${commit.slice(0, 12)}\``

/** The change from its commit to the environments, one row per step, saying plainly what the journal lacks. */
function changePathMarkdown(change: ChangePath | null, flag: string | null): string {
  if (change === null)
    return 'The journal records no committed change: the change did not travel through the gate in this run, or the run ended before it did.'
  const gate = change.gate
  return table(
    ['Step', 'Result', 'Evidence'],
    [
      ['Commit', `\`${change.branch}\``, `${short(change.commit)} "${change.title}"`],
      [
        'Gate (ledger record)',
        gate === null ? 'not recorded' : gate.green ? 'green' : 'RED',
        gate === null
          ? 'no gate.finished for this commit'
          : `${short(gate.commit)}, tree ${short(gate.tree)}: ${gate.steps.map((s) => `${s.name} ${s.status} (${formatMs(s.durationMs)})`).join(', ') || 'no steps'}`,
      ],
      [
        'Merge to trunk',
        change.trunk === undefined ? 'not recorded' : 'merged',
        change.trunk === undefined ? '-' : short(change.trunk),
      ],
      [
        'Artifact',
        change.artifact === null ? 'not recorded' : 'built',
        change.artifact === null
          ? '-'
          : `from ${short(change.artifact.commit)}, content hash \`${change.artifact.contentHash.slice(0, 16)}\``,
      ],
      [
        'Deploy',
        change.environments.length === 0
          ? 'not recorded'
          : flag === null
            ? 'deployed live (no flag)'
            : 'deployed dark',
        change.environments.join(', ') || '-',
      ],
    ],
  )
}

/** Mistake, symptom, root cause, repair evidence (or a plain statement that there is none yet) and the card. */
function mistakeLogMarkdown(log: MistakeLog, external: boolean): string {
  const { replay, fix, notRun } = log.repairEvidence
  const evidence =
    notRun !== undefined
      ? [`The loop (the fix through the gate, the replay of the change) was not run: ${notRun}.`]
      : [
          external
            ? 'Replay: no change of ours to replay through the gate; the provider fault itself is replayed on the fixed trunk by `firedrill run --again`.'
            : replay === null
              ? 'Replay of the bad change through the gate: not recorded yet (no `replay.gated` in the journal).'
              : `Replay of the bad change ${short(replay.commit)} on today's trunk: gate ${replay.green ? 'green: the replay was not blocked' : `RED, blocked by ${replay.blockedBy.join(', ') || 'no step named'}`}.`,
          fix === null
            ? 'Fix through the gate: not recorded yet (no `fix.merged` in the journal).'
            : `Fix ${short(fix.commit)}: gate ${fix.green ? 'green' : 'RED'}, merged to trunk.`,
        ]
  return [
    `**Mistake:** ${log.mistake}`,
    `**Symptom:** ${log.symptom}`,
    `**Root cause:** ${log.rootCause}`,
    `**Repair evidence:**\n\n${list(evidence, '')}`,
    `**Retrieval card:** ${log.retrievalCard}`,
  ].join('\n\n')
}

/** A trainee's run: the score by the rubric, and the responder's actions in order, as decisions taken. */
function trainingMarkdown(score: NonNullable<Postmortem['training']>): string[] {
  const after = (ms: number | null) => (ms === null ? 'before the page' : `+${formatMs(ms)}`)
  return [
    '## Training score',
    `The responder (${score.trainee}) scored **${score.points} / ${score.max}** by the training rubric (training/RUBRIC.md), computed from this journal; runs of ${score.scenario} with seed ${score.seed} face the same incident and compare directly.`,
    table(
      ['Criterion', 'Points', 'What the journal shows'],
      [
        ...score.items.map((i) => [i.criterion, `${i.points} / ${i.max}`, i.detail]),
        ...(score.hints.count === 0
          ? []
          : [['hints', `−${score.hints.cost}`, `${score.hints.count} hint(s) from the facilitator`]]),
      ],
    ),
    "### The responder's actions",
    table(
      ['Time (UTC)', 'After the page', 'Action'],
      score.actions.map((a) => [a.at.replace('T', ' ').replace('Z', ''), after(a.afterPageMs), a.text]),
    ),
  ]
}

/** The postmortem as Markdown, in the sections of the Google SRE template plus a timing breakdown and DORA before and after. */
export function renderPostmortemMarkdown(pm: Postmortem): string {
  const sections = [
    `# Postmortem: ${pm.title}`,
    [
      `**Status:** ${STATUS_WORDS[pm.status]}  `,
      `**Date:** ${pm.date} (UTC)  `,
      `**Scenario:** ${pm.scenario.name}, seed ${pm.scenario.seed}, ${pm.scenario.cause === 'external' ? 'cause external (a dependency failed; no change of ours)' : pm.scenario.flag === null ? `no flag (${pm.scenario.strategy === 'instance-canary' ? 'an' : 'a'} ${pm.scenario.strategy ?? 'rolling'} release)` : `flag \`${pm.scenario.flag}\``}  `,
      `**Generated:** ${pm.generatedAt} from the run's journal (${pm.journal.events} events${pm.journal.truncatedLastLine ? ', last line cut off' : ''})`,
    ].join('\n'),
    '## Summary',
    pm.summary,
    '## Impact',
    pm.impact.statement,
    table(
      ['Measure', 'Value'],
      [
        ['Requests', pm.impact.requests],
        ['Failed requests', pm.impact.failedRequests],
        ['Error ratio', formatRatio(pm.impact.errorRatio)],
        [
          `Error budget consumed (${pm.impact.sloWindow}, objective ${formatRatio(pm.impact.sloObjective)})`,
          formatPct(pm.impact.errorBudgetConsumedPct),
        ],
      ],
    ),
    '## Root causes',
    list(pm.rootCauses, 'Not established.'),
    '## Trigger',
    pm.trigger,
    '## Resolution',
    pm.resolution,
    '## Detection',
    pm.detection,
    "## The change's path",
    pm.scenario.cause === 'external'
      ? 'No change of ours: nothing was committed, built or deployed before the incident. The cause was outside the shop (a dependency), so there is no change to trace through the gate.'
      : changePathMarkdown(pm.change, pm.scenario.flag),
    '## Action items',
    table(
      ['ID', 'Action item', 'Type', 'Priority', 'Owner', 'Due', 'Tracking', 'Status', 'Closed by'],
      pm.actionItems.map((ai) => [
        ai.id,
        ai.title,
        ai.type,
        ai.priority,
        `${ai.ownerName} (@${ai.owner})`,
        ai.dueDate,
        `\`${ai.tracking}\``,
        ai.status,
        ai.closedBy.length === 0 ? '-' : ai.closedBy.map((c) => `\`${c.slice(0, 12)}\``).join(', '),
      ]),
    ),
    '## Lessons learned',
    '### What went well',
    list(pm.lessons.wentWell, 'Nothing recorded.'),
    '### What went wrong',
    list(pm.lessons.wentWrong, 'Nothing recorded.'),
    '### Where we got lucky',
    list(pm.lessons.gotLucky, 'Nothing recorded.'),
    '## Mistake log',
    mistakeLogMarkdown(pm.mistakeLog, pm.scenario.cause === 'external'),
    '## Timeline (UTC)',
    table(
      ['Time', 'Event', 'What happened'],
      pm.timeline.map((e) => [e.at.replace('T', ' ').replace('Z', ''), `\`${e.type}\``, e.text]),
    ),
    '## Timing breakdown',
    table(
      ['Figure', 'Value', 'From', 'To'],
      pm.timingBreakdown.map((row) => [
        row.metric,
        formatMs(row.ms),
        row.from === null ? 'missing' : `\`${row.from.type}\` #${row.from.seq} at ${row.from.at}`,
        row.to === null ? 'missing' : `\`${row.to.type}\` #${row.to.seq} at ${row.to.at}`,
      ]),
    ),
    ...(pm.training === undefined ? [] : trainingMarkdown(pm.training)),
    '## DORA before and after',
    doraMarkdown(pm.dora, pm.timings),
    '## Flags',
    flagsMarkdown(pm.flags),
  ]
  return `${sections.join('\n\n')}\n`
}
