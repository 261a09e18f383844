import { eventsOf, type JournalEventOf } from '../record/journal/journal-event.ts'
import type { DrillFacts } from './drill-facts.ts'
import { formatMs, formatUtcTime } from './postmortem-format.ts'

/**
 * The mitigation, when it was a pause of the fulfilment queue: who paused it and why, when it took effect, how
 * many orders it held and for how long, and who resumed it (a person, the drill's cleanup, or nobody before the
 * journal ends).
 */
export interface QueuePauseStory {
  paused: JournalEventOf<'queue.paused'>
  mitigated: JournalEventOf<'mitigation.applied'>
  resumed: JournalEventOf<'queue.resumed'> | undefined
  /** Orders waiting when it resumed (or when the mitigation was seen, if it never resumed). */
  held: number
  /** How long it was paused; null when the journal ends with it still paused. */
  heldMs: number | null
}

export function queuePauseOf(facts: Pick<DrillFacts, 'anchors' | 'events'>): QueuePauseStory | undefined {
  const mitigated = facts.anchors.mitigated
  if (mitigated?.type !== 'mitigation.applied' || mitigated.data.action !== 'queue paused') return undefined
  const paused = eventsOf(facts.events, 'queue.paused')
    .filter((e) => Date.parse(e.at) <= Date.parse(mitigated.at))
    .at(-1)
  if (paused === undefined) return undefined
  const resumed = eventsOf(facts.events, 'queue.resumed').find((e) => e.seq > paused.seq)
  return {
    paused,
    mitigated,
    resumed,
    held: resumed?.data.held ?? mitigated.data.held ?? 0,
    heldMs: resumed === undefined ? null : resumed.data.pausedMs,
  }
}

/** Resumed by the drill's cleanup (or never): nobody let the held orders go during the incident. */
const atCleanup = (story: QueuePauseStory) =>
  story.resumed === undefined || story.resumed.data.by === 'firedrill'

const orders = (n: number) => `${n} order${n === 1 ? '' : 's'}`

/** Who resumed it, in words: `ana resumed it at … (why)`, the cleanup, or still paused. */
function resumedWords(story: QueuePauseStory): string {
  const { resumed } = story
  if (resumed === undefined) return 'it was still paused when the journal ends'
  if (resumed.data.by === 'firedrill')
    return `the drill's cleanup resumed it at ${formatUtcTime(resumed.at)}, as the drill ended: ${resumed.data.reason.replace(/^drill cleanup: /, '')}`
  return `${resumed.data.by} resumed it at ${formatUtcTime(resumed.at)} (${resumed.data.reason})`
}

/** The Resolution's account of the pause. */
export function queuePauseResolution(story: QueuePauseStory): string {
  const { paused, mitigated } = story
  const tookMs = Date.parse(mitigated.at) - Date.parse(paused.at)
  const held =
    story.heldMs === null
      ? `It held ${orders(story.held)} from then on, and ${resumedWords(story)}.`
      : `It held ${orders(story.held)} for ${formatMs(story.heldMs)}; ${resumedWords(story)}.`
  return [
    `${paused.data.by} paused the fulfilment queue at ${formatUtcTime(paused.at)} (${paused.data.reason}), with ${orders(paused.data.waiting)} waiting and ${paused.data.active} in the workers' hands.`,
    `The drill counted the mitigation at ${formatUtcTime(mitigated.at)}, ${formatMs(tookMs)} later, once BullMQ reported the queue paused and no job active: the workers had finished the jobs in hand and took no new one, so no order was failed or lost while it was paused.`,
    held,
    atCleanup(story)
      ? 'A paused queue pays no order either: the fulfilment SLI counts an order when it is settled, and the held orders were let go only at cleanup, after detection had stopped, so the SLO never counted them and recovery, which needs settled orders as evidence, could not be confirmed while the queue was paused.'
      : 'A paused queue pays no order either: the fulfilment SLI counts an order when it is settled, so the held orders counted only once the queue ran again, those paid after the deadline as bad, and recovery, which needs settled orders as evidence, could only be confirmed after the resume.',
  ].join(' ')
}

/** The summary's sentence. */
export function queuePauseSummary(story: QueuePauseStory, mttmMs: number | null): string {
  return story.heldMs === null
    ? `The fulfilment queue was paused ${formatMs(mttmMs)} after the page, holding ${orders(story.held)}; ${resumedWords(story)}.`
    : `The fulfilment queue was paused ${formatMs(mttmMs)} after the page and held ${orders(story.held)} for ${formatMs(story.heldMs)}; ${resumedWords(story)}.`
}

/** What went well, and what the pause cost. */
export function queuePauseLessons(
  story: QueuePauseStory,
  mttmMs: number | null,
): { wentWell: string[]; wentWrong: string[] } {
  return {
    wentWell: [
      `Pausing the fulfilment queue mitigated${mttmMs === null ? '' : `, ${formatMs(mttmMs)} after the page`}: the workers stopped taking orders they would have failed, and the queue held them instead, without a rollback or deploy.`,
    ],
    wentWrong: [
      story.heldMs === null
        ? `While the queue was paused no order was paid: the ${orders(story.held)} it held waited until the drill's end.`
        : atCleanup(story)
          ? `While the queue was paused no order was paid: the ${orders(story.held)} it held waited ${formatMs(story.heldMs)}, until the drill's cleanup let them go.`
          : `While the queue was paused no order was paid: the ${orders(story.held)} it held waited ${formatMs(story.heldMs)}, and those paid after the SLO's deadline count against it.`,
      ...(atCleanup(story)
        ? [
            "Nobody resumed the queue during the incident: the drill's cleanup did. Pausing holds orders; it does not fix what failed them, so it needs a way forward and a resume.",
          ]
        : []),
    ],
  }
}
