import { formatMs, formatPct, formatRatio } from './postmortem-format.ts'
import type { Postmortem } from './postmortem-schema.ts'

const STATUS_WORDS: Record<Postmortem['status'], string> = {
  recovered: 'Recovered; action items open',
  'not-recovered': 'Not recovered during the drill; action items open',
  aborted: 'Drill aborted by a stop condition; action items open',
  incomplete: 'Incomplete: the journal ends before the drill finished',
}

/** Escapes text for a Markdown table cell. */
const cell = (text: string | number): string => String(text).replaceAll('|', '\\|').replaceAll('\n', ' ')

function table(head: string[], rows: (string | number)[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n')
}

const list = (items: readonly string[], empty: string) =>
  items.length === 0 ? `- ${empty}` : items.map((i) => `- ${i}`).join('\n')

/** The postmortem as Markdown, in the sections of the Google SRE template plus a timing breakdown. */
export function renderPostmortemMarkdown(pm: Postmortem): string {
  const sections = [
    `# Postmortem: ${pm.title}`,
    [
      `**Status:** ${STATUS_WORDS[pm.status]}  `,
      `**Date:** ${pm.date} (UTC)  `,
      `**Scenario:** ${pm.scenario.name}, seed ${pm.scenario.seed}, flag \`${pm.scenario.flag}\`  `,
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
    '## Action items',
    table(
      ['ID', 'Action item', 'Type', 'Priority', 'Owner', 'Due', 'Tracking', 'Status'],
      pm.actionItems.map((ai) => [
        ai.id,
        ai.title,
        ai.type,
        ai.priority,
        `${ai.ownerName} (@${ai.owner})`,
        ai.dueDate,
        `\`${ai.tracking}\``,
        ai.status,
      ]),
    ),
    '## Lessons learned',
    '### What went well',
    list(pm.lessons.wentWell, 'Nothing recorded.'),
    '### What went wrong',
    list(pm.lessons.wentWrong, 'Nothing recorded.'),
    '### Where we got lucky',
    list(pm.lessons.gotLucky, 'Nothing recorded.'),
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
  ]
  return `${sections.join('\n\n')}\n`
}
