import { eventsOf, type JournalEvent } from '../journal/journal-event.ts'
import type { ValidScenario } from '../scenario/parse-scenario.ts'
import { deriveImpact } from '../timings/derive-impact.ts'
import type { ScoreItem, TraineeAction, TrainingScore } from './training-score-schema.ts'

export type { ScoreItem, TraineeAction, TrainingScore } from './training-score-schema.ts'

import { impactSloOf } from '../timings/drill-figures.ts'

/** The rubric's weights, one source for the code and RUBRIC.md's table. */
export const RUBRIC = {
  acknowledge: 15,
  mitigate: 25,
  rightFirstTime: 20,
  collateral: 15,
  collateralPerAction: 5,
  firstUpdate: 15,
  errorBudget: 10,
  hintCost: 5,
} as const

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

/** Full points within the target, half within twice the target, none later or never. */
function againstTarget(
  ms: number | null,
  targetSeconds: number,
  max: number,
  what: string,
): [number, string] {
  if (ms === null) return [0, `not ${what}`]
  const target = targetSeconds * 1000
  if (ms <= target)
    return [max, `${what} ${seconds(ms)} after the page, within the ${targetSeconds} s target`]
  if (ms <= 2 * target)
    return [max / 2, `${what} ${seconds(ms)} after the page, within twice the ${targetSeconds} s target`]
  return [0, `${what} ${seconds(ms)} after the page, past twice the ${targetSeconds} s target`]
}

/** The facilitator's pauses, as [from, to] in ms; one still on runs to the journal's last event. */
function pausedSpans(events: readonly JournalEvent[]): [number, number][] {
  const spans: [number, number][] = []
  let since: number | null = null
  for (const e of events) {
    if (e.type === 'drill.paused' && since === null) since = Date.parse(e.at)
    else if (e.type === 'drill.resumed' && since !== null) {
      spans.push([since, Date.parse(e.at)])
      since = null
    }
  }
  const last = events.at(-1)
  if (since !== null && last !== undefined) spans.push([since, Date.parse(last.at)])
  return spans
}

/**
 * Scores a human responder's run from its journal, against the scenario's `responder.targets` (RUBRIC.md).
 * Null for a run without a human responder or without a page (nothing to score). A pure function: the same
 * journal gives the same score, whenever and wherever it is computed.
 */
export function scoreTraining(
  events: readonly JournalEvent[],
  scenario: ValidScenario,
): TrainingScore | null {
  const started = eventsOf(events, 'drill.started')[0]
  const page = eventsOf(events, 'page.sent')[0]
  if (started === undefined || started.data.responder !== 'human' || page === undefined) return null
  const trainee = page.data.to
  const flag = started.data.flag
  const targets = scenario.responder.targets
  const pagedAt = Date.parse(page.at)
  const paused = pausedSpans(events)
  // Time the facilitator held the drill paused does not count against the trainee.
  const after = (at: string) => {
    const t = Date.parse(at)
    const held = paused.reduce(
      (sum, [from, to]) => sum + Math.max(0, Math.min(to, t) - Math.max(from, pagedAt)),
      0,
    )
    return t - pagedAt - held
  }
  const since = (at: string) => (Date.parse(at) < pagedAt ? null : after(at))

  const ack = eventsOf(events, 'page.acknowledged')[0]
  const acknowledgeMs = ack === undefined ? null : after(ack.at)
  // A dependency's fault has no change flag: its mitigation is the degrade switch turned on.
  const fault = scenario.change.fault
  const degradeSwitch = fault.kind === 'provider-degraded' ? fault.degradeSwitch : undefined
  const mitigation = eventsOf(events, 'mitigation.applied').find(
    (e) => e.data.flag === (degradeSwitch ?? flag),
  )
  const mitigatedByTrainee = mitigation !== undefined && mitigation.data.by === trainee
  const mitigateMs = mitigation === undefined || !mitigatedByTrainee ? null : after(mitigation.at)
  const flagSets = eventsOf(events, 'responder.flag-set').filter((e) => e.data.by === trainee)
  const rollbacks = eventsOf(events, 'rollback.requested').filter((e) => e.data.by === trainee)
  const queueMoves = [
    ...eventsOf(events, 'queue.paused').filter((e) => e.data.by === trainee),
    ...eventsOf(events, 'queue.resumed').filter((e) => e.data.by === trainee),
  ]
  // Holding the fulfilment queue's orders is a sensible first move where orders are at stake (a fulfilment SLO):
  // neither the mitigation the rubric looks for nor collateral. Elsewhere it changes what no SLO needed.
  const holdingMoveCounts = scenario.slo.indicators.some((i) => i.sli === 'fulfilment')
  const updates = eventsOf(events, 'status.posted').filter((e) => e.data.by === trainee)
  const firstUpdate = updates.find((e) => Date.parse(e.at) >= pagedAt)
  const firstUpdateMs = firstUpdate === undefined ? null : after(firstUpdate.at)
  const hints = eventsOf(events, 'hint.given')

  const items: ScoreItem[] = []
  const [ackPoints, ackDetail] = againstTarget(
    acknowledgeMs,
    targets.acknowledgeSeconds,
    RUBRIC.acknowledge,
    'acknowledged',
  )
  items.push({ criterion: 'acknowledge', points: ackPoints, max: RUBRIC.acknowledge, detail: ackDetail })
  const [mitPoints, mitDetail] =
    mitigation !== undefined && !mitigatedByTrainee
      ? [0, `the mitigation was applied by ${mitigation.data.by}, not from the responder's seat`]
      : againstTarget(mitigateMs, targets.mitigateSeconds, RUBRIC.mitigate, 'mitigated')
  items.push({ criterion: 'mitigate', points: mitPoints, max: RUBRIC.mitigate, detail: mitDetail })

  // The trainee's moves on the system, in journal order: flags turned on or off, and rollbacks asked for. The right
  // one turns the scenario's flag off; where no flag guards the change, it rolls production back; where a
  // dependency failed, it turns the degrade switch on.
  const moves = [
    ...flagSets.map((e) => ({
      seq: e.seq,
      right:
        degradeSwitch !== undefined
          ? e.data.flag === degradeSwitch && e.data.turned === 'on'
          : flag !== undefined && e.data.flag === flag && e.data.turned === 'off',
      words: `${e.data.flag} ${e.data.turned}`,
    })),
    ...rollbacks.map((e) => ({
      seq: e.seq,
      right: flag === undefined && degradeSwitch === undefined,
      words: 'production rolled back',
    })),
    ...(holdingMoveCounts
      ? []
      : eventsOf(events, 'queue.paused')
          .filter((e) => e.data.by === trainee)
          .map((e) => ({ seq: e.seq, right: false, words: 'the fulfilment queue paused' }))),
  ].sort((a, b) => a.seq - b.seq)
  const mitigationWords =
    degradeSwitch !== undefined
      ? `${degradeSwitch} on`
      : flag === undefined
        ? 'production rolled back'
        : `${flag} off`
  const first = moves[0]
  const rightFirst = first === undefined ? mitigatedByTrainee : first.right
  items.push({
    criterion: 'right-first-time',
    points: rightFirst ? RUBRIC.rightFirstTime : 0,
    max: RUBRIC.rightFirstTime,
    detail:
      first === undefined
        ? mitigatedByTrainee
          ? `the mitigation came first: ${mitigationWords}`
          : 'no flag was changed and nothing rolled back'
        : rightFirst
          ? `the first action on the system was the mitigation: ${mitigationWords}`
          : `the first action on the system was ${first.words}, not the mitigation`,
  })

  const collateral = moves.filter((m) => !m.right)
  items.push({
    criterion: 'collateral',
    points: Math.max(0, RUBRIC.collateral - RUBRIC.collateralPerAction * collateral.length),
    max: RUBRIC.collateral,
    detail:
      collateral.length === 0
        ? 'nothing was changed besides the mitigation'
        : `${collateral.length} other change(s), ${RUBRIC.collateralPerAction} points each: ${collateral.map((m) => m.words).join(', ')}`,
  })

  const [updPoints, updDetail] = againstTarget(
    firstUpdateMs,
    targets.firstUpdateSeconds,
    RUBRIC.firstUpdate,
    'first status update posted',
  )
  items.push({ criterion: 'first-update', points: updPoints, max: RUBRIC.firstUpdate, detail: updDetail })

  const consumed = deriveImpact(events, impactSloOf(scenario)).errorBudgetConsumedPct
  const limit = scenario.stopConditions.maxErrorBudgetConsumedPct
  const budgetPoints = Math.round(RUBRIC.errorBudget * Math.max(0, 1 - consumed / limit) * 10) / 10
  items.push({
    criterion: 'error-budget',
    points: budgetPoints,
    max: RUBRIC.errorBudget,
    detail: `${consumed.toFixed(2)} % of the error budget burned, of the ${limit} % the drill allows`,
  })

  const cost = hints.length * RUBRIC.hintCost
  const total = items.reduce((sum, i) => sum + i.points, 0) - cost
  const actions: TraineeAction[] = [
    ...(ack === undefined
      ? []
      : [{ at: ack.at, kind: 'acknowledged' as const, text: `acknowledged the page (${ack.data.by})` }]),
    ...flagSets.map((e) => ({
      at: e.at,
      kind: 'flag-set' as const,
      text: `turned ${e.data.flag} ${e.data.turned}: "${e.data.reason}"`,
    })),
    ...rollbacks.map((e) => ({
      at: e.at,
      kind: 'rollback' as const,
      text: `asked for production to roll back to ${e.data.to.slice(0, 16)}: "${e.data.reason}"`,
    })),
    ...queueMoves.map((e) => ({
      at: e.at,
      kind: 'queue' as const,
      text: `${e.type === 'queue.paused' ? 'paused' : 'resumed'} the ${e.data.queue} queue: "${e.data.reason}"`,
    })),
    ...updates.map((e) => ({ at: e.at, kind: 'status' as const, text: `posted "${e.data.text}"` })),
    ...hints.map((e) => ({
      at: e.at,
      kind: 'hint' as const,
      text: `hint from ${e.data.by}: "${e.data.text}"`,
    })),
    ...(mitigation === undefined
      ? []
      : [
          {
            at: mitigation.at,
            kind: 'mitigated' as const,
            text: `${mitigation.data.flag === undefined ? `production observed back on the previous artifact` : `${mitigation.data.flag} observed ${mitigation.data.flag === degradeSwitch ? 'on' : 'off'}`} (by ${mitigation.data.by}); the drill counts it as the mitigation`,
          },
        ]),
  ]
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
    .map((a) => ({ ...a, afterPageMs: since(a.at) }))
  return {
    runId: started.data.runId,
    scenario: started.data.scenario,
    seed: started.data.seed,
    trainee,
    points: Math.max(0, Math.round(total * 10) / 10),
    max: 100,
    items,
    hints: { count: hints.length, cost },
    acknowledgeMs,
    mitigateMs,
    firstUpdateMs,
    actions,
  }
}
