import type { ActionItemPriority } from '../record/scenario/scenario-schema.ts'

/** Days from the postmortem to an action item's due date, by priority. */
export const DUE_DAYS_BY_PRIORITY: Readonly<Record<ActionItemPriority, number>> = { P0: 7, P1: 14, P2: 30 }

/** The due date (UTC, YYYY-MM-DD) of an item of `priority` raised at `now`. */
export function dueDateFor(priority: ActionItemPriority, now: number): string {
  return new Date(now + DUE_DAYS_BY_PRIORITY[priority] * 86_400_000).toISOString().slice(0, 10)
}
