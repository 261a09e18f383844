import type { AuditEntryView } from '../../../services/flags/flags-schemas.ts'

/** One flag change as the responder saw it in the audit log. */
export interface SeenFlagChange {
  flag: string
  from: string
  to: string
  actor: string
  at: string
}

/** What the responder looked at, what it concluded, and what it will do: journalled before it acts. */
export interface Diagnosis {
  evidence: {
    alerts: string[]
    slos: string[]
    /** When the paging alert started firing: the burn began before it. */
    alertStartedAt: string
    /** The audit log's latest changes, newest first (at most 10). */
    flagChanges: SeenFlagChange[]
  }
  /** Flags the playbook considered and set aside, each with the reason. */
  setAside: { flag: string; why: string }[]
  hypothesis: string
  action: { kind: 'flag-off'; flag: string } | { kind: 'escalate' }
}

const isOff = (serving: string) => serving === 'off' || serving === 'disabled'

/**
 * The bot's playbook for a page, from what an on-call engineer can see: the alerts and SLOs that page names and
 * the flag audit log.
 * 1. The burn began before the alert fired, so a flag first turned on after the alert started cannot be its
 *    cause: set aside (a harmless flip during the incident is a decoy).
 * 2. A flag off again by now is not serving anything: set aside.
 * 3. Of the flags turned on before the alert started and still on, the cause is the one turned on last before
 *    it (the change closest to the onset); the action is to turn it off.
 * 4. No such flag: the cause is not a flag (a deploy, a dependency), so escalate rather than guess.
 */
export function diagnose(
  page: { alerts: readonly string[]; slos: readonly string[]; startsAt: string },
  audit: readonly AuditEntryView[],
): Diagnosis {
  const startedAt = Date.parse(page.startsAt)
  const newestFirst = [...audit].sort(
    (a, b) => Date.parse(b.at) - Date.parse(a.at) || b.revision - a.revision,
  )
  const evidence: Diagnosis['evidence'] = {
    alerts: [...page.alerts],
    slos: [...page.slos],
    alertStartedAt: page.startsAt,
    flagChanges: newestFirst
      .slice(0, 10)
      .map(({ flag, from, to, actor, at }) => ({ flag, from, to, actor, at })),
  }
  const setAside: Diagnosis['setAside'] = []
  const flags = [...new Set(newestFirst.map((e) => e.flag))]
  let suspect: { flag: string; at: string; to: string; actor: string } | undefined
  for (const flag of flags) {
    const changes = newestFirst.filter((e) => e.flag === flag)
    const serving = changes[0]!.to
    if (isOff(serving)) {
      setAside.push({ flag, why: `serves ${serving} now` })
      continue
    }
    const onBefore = changes.find((e) => !isOff(e.to) && Date.parse(e.at) <= startedAt)
    if (onBefore === undefined) {
      setAside.push({
        flag,
        why: `turned on at ${changes.at(-1)!.at}, after the alert started firing at ${page.startsAt}: it cannot have started the burn`,
      })
      continue
    }
    if (suspect === undefined || Date.parse(onBefore.at) > Date.parse(suspect.at))
      suspect = { flag, at: onBefore.at, to: onBefore.to, actor: onBefore.actor }
  }
  for (const flag of flags) {
    if (suspect !== undefined && flag !== suspect.flag && !setAside.some((s) => s.flag === flag))
      setAside.push({ flag, why: `turned on earlier than ${suspect.flag}, further from the onset` })
  }
  const burning = page.slos.length === 0 ? page.alerts.join(', ') : `SLO ${page.slos.join(', ')}`
  if (suspect === undefined)
    return {
      evidence,
      setAside,
      hypothesis: `${burning} burning since before ${page.startsAt}, and no flag still on was turned on before then: the cause is not a flag change`,
      action: { kind: 'escalate' },
    }
  return {
    evidence,
    setAside,
    hypothesis: `${burning} burning since before ${page.startsAt}; ${suspect.flag} was the last flag turned on before it (${suspect.to} by ${suspect.actor} at ${suspect.at}) and still serves: it started the burn`,
    action: { kind: 'flag-off', flag: suspect.flag },
  }
}
