import { eventsOf } from '../record/journal/journal-event.ts'
import type { ActionItemType, PlannedActionItem } from '../record/scenario/scenario-schema.ts'
import { ownerFor, type Roster } from '../record/scenario/team-roster.ts'
import { dependencyActionItem } from './dependency-fault-narrative.ts'
import { type DrillFacts, refusedByWords, repeatedRunWords } from './drill-facts.ts'
import { dueDateFor } from './due-date-policy.ts'
import { dependencyFaultOf, externalFaultOf } from './fault-story.ts'
import type { ActionItem } from './postmortem-schema.ts'

/** Who owns an item of each type when the scenario does not say. */
export const DEFAULT_OWNER_ROLE: Readonly<Record<ActionItemType, string>> = {
  prevent: 'service-owner',
  detect: 'sre',
  mitigate: 'on-call',
  process: 'incident-commander',
}

/** Detection slower than this many times the theoretical minimum earns an action item. */
const SLOW_DETECTION_FACTOR = 3

export interface ActionItemClock {
  /** When the items were raised: anchors their due dates. */
  raisedAt: number
  /** When the postmortem is written: an open item due before this day is `overdue`. */
  now: number
}

/** The title of the item the flag's close-out closes. */
export function retireFlagTitle(flag: string): string {
  return `Retire the flag ${flag} once the fixed change is fully released`
}

/**
 * The scenario's planned items (or a default fix), then items the journal calls for: a missing page, slow
 * detection, no mitigation, an abort, and retiring the flag. Each gets `AI-n`, an owner from the roster and
 * a due date from the priority policy. A `fix.merged` or `cleanup.merged` event naming an item (through a green gate) makes it `done`,
 * closed by that commit; an open item past its due date is `overdue`.
 */
export function actionItemsOf(facts: DrillFacts, roster: Roster, clock: ActionItemClock): ActionItem[] {
  const planned = facts.status === 'prevented' ? nearMissItems(facts) : incidentItems(facts)
  return numbered(planned, facts, roster, clock)
}

/**
 * A near miss (the gate refused the change): a repeated change's earlier run carries the work, so the one item
 * raised here moves the check that caught it earlier still, to the author's machine; a change stopped on its first
 * try gets the scenario's planned items when it has some.
 */
function nearMissItems(facts: DrillFacts): PlannedActionItem[] {
  // A dependency's fault the shop rode out by itself: no change to stop earlier; what it deferred must be settled.
  const external = externalFaultOf(facts.scenario)
  if (external !== undefined)
    return [
      {
        title: `Check that every charge the workers deferred while the payment provider was degraded was made once it recovered (deferred, not lost)`,
        type: 'process',
        priority: 'P2',
      },
    ]
  // A change the gate stopped on its first try: the scenario plans what the near miss still calls for.
  // A check before a push cannot catch what happens after staging: a deploy-time near miss keeps its own items.
  const planned =
    facts.againOf === undefined ||
    facts.deployRefused !== undefined ||
    facts.deployRolledBack !== undefined ||
    facts.watchCaught !== undefined
      ? (facts.scenario.followUp.actionItems ?? [])
      : []
  if (planned.length > 0) return [...planned]
  return [
    {
      title: `Run ${refusedByWords(facts)} before a push (a pre-push hook), so a change like ${facts.againOf === undefined ? 'this one' : `the one ${repeatedRunWords(facts)} shipped`} is stopped on the author's machine, not at the gate`,
      type: 'prevent',
      priority: 'P2',
    },
  ]
}

/** An incident's items: the scenario's planned ones, then those its journal calls for. */
function incidentItems(facts: DrillFacts): PlannedActionItem[] {
  const { scenario, timings } = facts
  const flag = scenario.change.flag
  const subject = flag ?? `"${scenario.change.title}"`
  // A change that never reached users gave detection and mitigation nothing to act on: the scenario's own
  // detect and mitigate items wait for a drill that releases it.
  const planned: PlannedActionItem[] = (scenario.followUp.actionItems ?? []).filter(
    (i) => facts.changeReachedUsers || (i.type !== 'detect' && i.type !== 'mitigate'),
  )
  if (planned.length === 0) {
    planned.push({
      title: `Fix the defect behind ${subject} and cover it with a regression test in the gate`,
      type: 'prevent',
      priority: 'P0',
    })
  }
  if (dependencyFaultOf(scenario) !== undefined) planned.push(dependencyActionItem(facts))
  if (timings.detectedAt === null && facts.changeReachedUsers) {
    planned.push({
      title: `Page on the failures this drill caused: no burn-rate alert is recorded for ${subject}`,
      type: 'detect',
      priority: 'P0',
    })
  } else if (
    timings.mttdMs !== null &&
    facts.theoreticalDetectionMs !== null &&
    timings.mttdMs > SLOW_DETECTION_FACTOR * facts.theoreticalDetectionMs
  ) {
    planned.push({
      title: `Bring detection closer to its theoretical minimum (review scrape and evaluation intervals for ${facts.detectingRule?.name})`,
      type: 'detect',
      priority: 'P2',
    })
  }
  const external = externalFaultOf(scenario)
  if (timings.mitigatedAt === null && facts.changeReachedUsers && dependencyFaultOf(scenario) === undefined) {
    planned.push({
      title:
        external !== undefined
          ? `Make turning the degrade switch ${external.degradeSwitch} on part of the page's runbook when the provider's status page shows it failing; no mitigation was recorded`
          : flag === undefined
            ? "Make rolling production back to the previous artifact part of the page's runbook; no mitigation was recorded"
            : `Make turning ${flag} off part of the page's runbook; no mitigation was recorded`,
      type: 'mitigate',
      priority: 'P0',
    })
  }
  if (facts.aborted !== undefined) {
    planned.push({
      title: `Review the stop condition that ended the drill (${facts.aborted.data.reason})`,
      type: 'process',
      priority: 'P1',
    })
  }
  if (flag !== undefined)
    planned.push({
      title: retireFlagTitle(flag),
      type: 'process',
      priority: 'P2',
    })
  return planned
}

function numbered(
  planned: readonly PlannedActionItem[],
  facts: DrillFacts,
  roster: Roster,
  clock: ActionItemClock,
): ActionItem[] {
  // What closes an item: the fix merged for it, or the flag's close-out merged for it, each through a green gate.
  const closing = [
    ...eventsOf(facts.events, 'fix.merged').map((e) => e.data),
    ...eventsOf(facts.events, 'cleanup.merged').map((e) => e.data),
  ]
  const today = new Date(clock.now).toISOString().slice(0, 10)
  return planned.map((item, i) => {
    const id = `AI-${i + 1}`
    const owner = ownerFor(roster, item.ownerRole ?? DEFAULT_OWNER_ROLE[item.type])
    const dueDate = dueDateFor(item.priority, clock.raisedAt)
    const closedBy = [
      ...new Set(closing.filter((c) => c.actionItem === id && c.gate.green).map((c) => c.commit)),
    ]
    return {
      id,
      title: item.title,
      owner: owner.handle,
      ownerName: owner.name,
      dueDate,
      priority: item.priority,
      type: item.type,
      tracking: `Refs: ${id}`,
      status: closedBy.length > 0 ? 'done' : dueDate < today ? 'overdue' : 'open',
      closedBy,
    }
  })
}
