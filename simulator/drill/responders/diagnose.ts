import type { AuditEntryView } from '../../../services/flags/flags-schemas.ts'
import type { SeenWorkers } from './worker-dashboard.ts'

/** One flag change as the responder saw it in the audit log. */
export interface SeenFlagChange {
  flag: string
  from: string
  to: string
  actor: string
  at: string
}

/** A production deploy as the responder saw it in the deploy history. */
export interface SeenDeploy {
  commit: string
  /** The artifact's content hash. */
  artifact: string
  /** What production ran before it (content hash), where a rollback goes; null for the first deploy. */
  previous: string | null
  /** Shipped dark: its new code serves nobody until a flag turns it on. */
  dark: boolean
  /** When it started rolling out. */
  at: string
  /** A rollback: the artifact it took production off, and who asked for it. */
  rollbackOf?: { artifact: string; by: string }
}

/** The payment provider's public status page as the responder read it. */
export interface SeenProviderStatus {
  status: 'operational' | 'degraded' | 'partial-outage' | 'major-outage'
  summary: string
  /** Since when the page has said so (null: not known). */
  since: string | null
}

/** A target's dependency as the fault proxy in front of it reports it: what it does to calls, and since when. */
export interface SeenDependency {
  name: string
  proxy: string
  /** The proxy's fault in words (`answers 503 to 50 % of calls`), or that it passes every call on. */
  fault: string
  since: string | null
}

/**
 * The runbook's degrade switches: for a dependency that fails, the flag that makes the shop stop calling it. The
 * payment provider's is `payments.defer-charges` (orders accepted, charges deferred until it is off again).
 */
export const DEGRADE_SWITCHES = { 'payment-provider': 'payments.defer-charges' } as const

/** What the responder looked at, what it concluded, and what it will do: journalled before it acts. */
export interface Diagnosis {
  evidence: {
    alerts: string[]
    slos: string[]
    /** When the paging alert started firing: the burn began before it. */
    alertStartedAt: string
    /** The audit log's latest changes, newest first (at most 10). */
    flagChanges: SeenFlagChange[]
    /** Production's deploys, newest first (at most 5). */
    deploys: SeenDeploy[]
    /** The payment provider's status page, when there is one to read. */
    provider?: SeenProviderStatus
    /** A target's dependency as its fault proxy reports it (`/-/health`), when the drill faults one. */
    dependency?: SeenDependency
    /** The fulfilment workers' dashboard from the page to the acknowledgement, when the shop has workers. */
    workers?: SeenWorkers
  }
  /** Flags the playbook considered and set aside, each with the reason. */
  setAside: { flag: string; why: string }[]
  hypothesis: string
  action:
    | { kind: 'flag-off'; flag: string }
    | { kind: 'rollback'; to: string }
    | { kind: 'degrade'; flag: string }
    | { kind: 'already-rolled-back'; to: string; by: string }
    | { kind: 'escalate' }
}

const isOff = (serving: string) => serving === 'off' || serving === 'disabled'

/**
 * The bot's playbook for a page, from what an on-call engineer can see: the alerts and SLOs that page names, the
 * payment provider's status page, the flag audit log and production's deploy history.
 * 0. The payment provider's status page says it is not operational, and has since before the alert started
 *    firing: the cause is the provider, not a change of ours. Every flag change and deploy is set aside (one
 *    made just before is a coincidence: turning it off or rolling it back would not make the provider answer),
 *    and the shop's degrade switch for the provider is turned on (`DEGRADE_SWITCHES`).
 * 1. The burn began before the alert fired, so a flag first turned on after the alert started cannot be its
 *    cause: set aside (a harmless flip during the incident is a decoy).
 * 2. A flag off again by now is not serving anything: set aside.
 * 3. A deploy that shipped dark changed nothing users saw until a flag did: set aside.
 * 4. Of the flags turned on before the alert started and still on, and the live deploys that started before
 *    it, the cause is the change closest to the onset: turn the flag off, or roll production back to what it
 *    ran before the deploy. A provider operational again since after that flag was turned on had a fault that is
 *    over (a blip): the hypothesis says so, and the flag stays the suspect.
 * 5. No such change: the cause is not ours to undo (a dependency), so escalate rather than guess.
 */
export function diagnose(
  page: { alerts: readonly string[]; slos: readonly string[]; startsAt: string },
  audit: readonly Pick<AuditEntryView, 'revision' | 'flag' | 'from' | 'to' | 'actor' | 'at'>[],
  deploys: readonly SeenDeploy[] = [],
  provider: SeenProviderStatus | null = null,
  workers: SeenWorkers | null = null,
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
    deploys: [...deploys].sort((a, b) => Date.parse(b.at) - Date.parse(a.at)).slice(0, 5),
    ...(provider === null ? {} : { provider: { ...provider } }),
    ...(workers === null ? {} : { workers: { ...workers } }),
  }
  const setAside: Diagnosis['setAside'] = []
  const flags = [...new Set(newestFirst.map((e) => e.flag))]
  const burning = page.slos.length === 0 ? page.alerts.join(', ') : `SLO ${page.slos.join(', ')}`
  const providerDown =
    provider !== null &&
    provider.status !== 'operational' &&
    (provider.since === null || Date.parse(provider.since) <= startedAt)
  if (providerDown) {
    const degradeSwitch = DEGRADE_SWITCHES['payment-provider']
    const reported = `the payment provider's status page reports ${provider.status}${provider.since === null ? '' : ` since ${provider.since}`} ("${provider.summary}")`
    for (const flag of flags) {
      if (flag === degradeSwitch) continue
      const last = newestFirst.find((e) => e.flag === flag)!
      setAside.push({
        flag,
        why: `${last.to} by ${last.actor} at ${last.at}, but ${reported}: a flag of ours does not make the provider fail, and turning it off would not make it answer`,
      })
    }
    return {
      evidence,
      setAside,
      hypothesis: `${burning} burning since before ${page.startsAt}, and ${reported}: the cause is external (the provider), not a change of ours; the shop's degrade switch ${degradeSwitch} stops calling it and defers the charges until it recovers`,
      action: { kind: 'degrade', flag: degradeSwitch },
    }
  }
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
  // A live deploy that started before the onset, later than the suspect flag: the change closest to the onset.
  let deploy: SeenDeploy | undefined
  for (const d of evidence.deploys) {
    // A rollback changes nothing new: it puts back what ran before.
    if (d.dark || d.rollbackOf !== undefined) continue
    if (Date.parse(d.at) > startedAt || d.previous === null) continue
    deploy = d
    break
  }
  if (deploy !== undefined && (suspect === undefined || Date.parse(deploy.at) >= Date.parse(suspect.at))) {
    if (suspect !== undefined)
      setAside.push({
        flag: suspect.flag,
        why: `turned on at ${suspect.at}, before production's deploy of ${deploy.commit.slice(0, 12)}: further from the onset`,
      })
    const suspectArtifact = deploy.artifact
    const back = evidence.deploys.find((d) => d.rollbackOf?.artifact === suspectArtifact)
    if (back?.rollbackOf !== undefined)
      return {
        evidence,
        setAside,
        hypothesis: `${burning} burning since before ${page.startsAt}; production's deploy of ${deploy.commit.slice(0, 12)} (artifact ${deploy.artifact.slice(0, 12)}, at ${deploy.at}) was the last change before it and shipped without a flag, and ${back.rollbackOf.by} already rolled production back to ${back.artifact.slice(0, 12)} at ${back.at}: nothing is left to undo, and the burn ends as the alert's windows pass the rollback`,
        action: { kind: 'already-rolled-back', to: back.artifact, by: back.rollbackOf.by },
      }
    return {
      evidence,
      setAside,
      hypothesis: `${burning} burning since before ${page.startsAt}; production's deploy of ${deploy.commit.slice(0, 12)} (artifact ${deploy.artifact.slice(0, 12)}, at ${deploy.at}) was the last change before it and shipped without a flag: it started the burn`,
      action: { kind: 'rollback', to: deploy.previous! },
    }
  }
  if (suspect === undefined)
    return {
      evidence,
      setAside,
      hypothesis: `${burning} burning since before ${page.startsAt}, and no flag still on was turned on, nor anything deployed live, before then: the cause is not a change of ours`,
      action: { kind: 'escalate' },
    }
  return {
    evidence,
    setAside,
    hypothesis: `${burning} burning since before ${page.startsAt}; ${suspect.flag} was the last flag turned on before it (${suspect.to} by ${suspect.actor} at ${suspect.at}) and still serves: it started the burn${providerRecovered(provider, suspect.at)}${retryStorm(workers)}`,
    action: { kind: 'flag-off', flag: suspect.flag },
  }
}

/**
 * A provider whose status page says it is operational again since after the suspect flag was turned on had a
 * fault of its own in between, and it is over: what still burns is ours. Said as a clause of the hypothesis.
 */
function providerRecovered(provider: SeenProviderStatus | null, flagAt: string): string {
  if (provider === null || provider.status !== 'operational' || provider.since === null) return ''
  if (Date.parse(provider.since) <= Date.parse(flagAt)) return ''
  return `; the payment provider's status page reports operational since ${provider.since}, so its own fault is over and does not explain a burn that goes on`
}

/**
 * The workers' dashboard showing a retry storm: most of their calls to the provider refused with 429 (its rate
 * limit) and several calls for each order paid. Said as a clause of the hypothesis: what keeps the provider
 * saturated, and so why the suspect's retries, not the provider, are what to turn off.
 */
function retryStorm(workers: SeenWorkers | null): string {
  if (workers === null || workers.providerCalls === 0) return ''
  const refusedMostly = workers.rateLimited * 2 >= workers.providerCalls
  const callsPerPaid = workers.providerCalls / Math.max(1, workers.paid)
  if (!refusedMostly || callsPerPaid < 3) return ''
  return `; the workers' dashboard shows ${workers.providerCalls} calls to the provider in ${(workers.overMs / 1000).toFixed(1)} s for ${workers.paid} orders paid, ${workers.rateLimited} of them refused with 429, and ${workers.waiting + workers.delayed} orders waiting: retries that do not wait keep the provider saturated`
}
