/**
 * Everything that happens in a drill, as data. One line of `journal.jsonl` is one event:
 * `{ seq, type, at, data }`, `seq` counting from 1 in file order, `at` an ISO-8601 UTC instant read from the
 * drill's injected Clock. Timings, impact and the postmortem are pure functions of these events.
 * Times inside `data` are ISO strings too; durations are `...Ms` numbers.
 */

export type FlagValue = boolean | string | number | null

export type DrillPhase =
  | 'preflight'
  | 'steady-state-before'
  | 'deploy'
  | 'release'
  | 'respond'
  | 'recover'
  | 'steady-state-after'
  | 'report'
  | 'cleanup'
  | 'follow-up'

/** Why a drill stopped early. `crashed` is written later, for a run whose process died without finishing. */
export type AbortCondition =
  | 'error-budget'
  | 'max-duration'
  | 'signal'
  | 'error'
  | 'redis-unavailable'
  | 'lease-lost'
  | 'crashed'
  /** A drill on a target whose release reached its last step with nobody paged: nothing to respond to. */
  | 'no-page'

/** Which process ran a drill: enough to tell later, on the same host, whether it is still alive. */
export interface RunProcess {
  pid: number
  host: string
  /** The process's start time in clock ticks since boot (Linux `/proc/PID/stat` field 22), when known. */
  startTicks?: number
}

export interface JournalEventData {
  'drill.started': {
    runId: string
    scenario: string
    title: string
    seed: number
    timeScale: number
    slo: { objective: number; window: string }
    /** The change's release flag; absent when the change ships unflagged (a rolling release). */
    flag?: string
    /** How the change reaches users. Absent in older journals: `flag-canary`. */
    strategy?:
      | 'flag-canary'
      | 'rolling'
      | 'blue-green'
      | 'instance-canary'
      | 'provider-fault'
      | 'dependency-fault'
    /** A dependency-fault drill on a target: the dependency, and its degrade switch when the team has one. */
    dependency?: { name: string; degradeSwitch?: string }
    responder: 'bot' | 'human'
    /** A `--again` run: the run whose workload it repeats, on that run's trunk (its id and directory). */
    againOf?: { runId: string; dir: string }
    /** The drill's own process, so a later run can tell a crashed run from one still going. */
    process?: RunProcess
    /** A drill on a target (`run --target`): its name and file. */
    target?: { name: string; file: string }
    /**
     * Who detects: firedrill's own evaluator, or the team's alerting through its Alertmanager. Absent in older
     * journals: firedrill.
     */
    detector?: 'firedrill' | 'alertmanager' | 'prometheus'
  }
  /** `prevented`: the gate refused the bad change (a `--again` run), and the same workload caused no incident. */
  'drill.finished': { outcome: 'recovered' | 'not-recovered' | 'prevented'; durationMs: number }
  /**
   * Written when the drill decides to abort (cleanup follows), or by a later run or report for a run whose
   * process died without finishing (`crashed`).
   */
  'drill.aborted': { reason: string; condition?: AbortCondition }
  /** The drill's lease: while its heartbeat renews it, what it turned on stays on; if it lapses, the shop puts it back. */
  'lease.acquired': { holder: string; prefix: string; ttlMs: number; heartbeatMs: number }
  /** What cleanup put back, and what it could not (each with why), within its time bounds. */
  'cleanup.finished': {
    done: string[]
    failed: Array<{ step: string; error: string }>
    /** Redis keys the run wrote under its own prefixes, removed. */
    keysRemoved?: number
  }
  'phase.entered': { phase: DrillPhase }
  /** A preflight or exit check, with what it looked at. */
  'check.passed': { name: string; evidence: Record<string, unknown> }
  'check.failed': { name: string; evidence: Record<string, unknown>; message: string }
  'steady-state.checked': {
    when: 'before' | 'after'
    ok: boolean
    requests: number
    failures: number
    errorRatio: number
    maxErrorRatio: number
    minRequests: number
  }
  'traffic.started': { ratePerSecond: number; seed: number }
  /**
   * `sequence`: a digest of the first `count` requests in schedule order (id, customer, coupon, items), so two
   * runs of one scenario and seed can be shown to have sent the same requests.
   */
  'traffic.stopped': { requests: number; failures: number; sequence?: { count: number; digest: string } }
  /**
   * Counts for the requests scheduled in [from, to): `requests` sent (answered, failed or timed out),
   * `failures` among them (5xx, timeouts, network errors), `dropped` shed by the client and never sent.
   */
  'traffic.interval': {
    index: number
    from: string
    to: string
    requests: number
    failures: number
    dropped: number
    byStatus: Record<string, number>
    latencyP50Ms: number | null
    latencyP99Ms: number | null
  }
  'flag.changed': {
    key: string
    from: FlagValue
    to: FlagValue
    percent: number
    actor: string
    reason: string
  }
  /**
   * `step` counts from 1, as the plan lists them. A flag-canary step names its `flag` (percent: of traffic); a
   * rolling batch names the `artifact` (content hash) it rolled out and the api `slots` now on it (percent: of
   * instances).
   */
  'release.step': {
    flag?: string
    artifact?: string
    /** A provider-fault release: the payment provider's fault mode from this step on, in words. */
    provider?: string
    /** A dependency-fault release: the target's dependency whose proxy faults `percent` of its calls. */
    dependency?: string
    slots?: number[]
    step: number
    percent: number
    holdSeconds: number
  }
  /**
   * The fault of firedrill's proxy in front of a target's dependency changed (`fault`: null when cleared), through
   * the store every proxy of that name reads, by `actor` and why.
   */
  'dependency.fault': {
    dependency: string
    proxy: string
    fault: {
      latency?: { ms: number; percent?: number }
      status?: { code: number; percent: number }
      reset?: { percent: number }
      seed?: number
    } | null
    actor: string
    reason: string
  }
  /**
   * The payment provider changed how it answers during a release (a blip the scenario schedules): `provider` in
   * words (`answers every request with HTTP 503`, `answers normally`), `why` the scenario's reason.
   */
  'provider.changed': { mode: string; provider: string; why: string }
  /** The bad change, committed on a branch of the drill's service repository. */
  'change.committed': { branch: string; commit: string; title: string }
  /** A gate run on a commit (its ledger record is in the repository's `refs/notes/firedrill`). */
  'gate.finished': {
    commit: string
    tree: string
    green: boolean
    durationMs: number
    steps: { name: string; status: string; durationMs: number }[]
  }
  /** The gate stopped the bad change: it does not reach trunk (the steps that stopped it). */
  'change.refused': { branch: string; commit: string; blockedBy: string[] }
  /** The branch merged into trunk, which only a green, validly signed gate record allows. */
  'change.merged': { branch: string; commit: string; trunk: string }
  /** A trunk commit turned into an immutable artifact; `contentHash` proves what every environment runs. */
  'artifact.built': { commit: string; contentHash: string; files: number }
  /** A tag the pipeline promotes by now names this artifact; `previous` is what it named before (a moved tag). */
  'artifact.tagged': {
    tag: string
    commit: string
    contentHash: string
    previous?: { commit: string; contentHash: string }
  }
  /** An environment refused the artifact its tag named: its content hash is not the one verified before it. */
  'deploy.refused': {
    environment: string
    tag: string
    commit: string
    contentHash: string
    verifiedContentHash: string
    reason: string
  }
  /**
   * A blue-green release moved all traffic to one set of api instances at once (`green`: the release; `blue`:
   * back to the build before the change), `slots` and `urls` the set now taking it.
   */
  'traffic.switched': { to: 'blue' | 'green'; slots: number[]; urls: string[]; by: string; reason: string }
  /**
   * An instance-canary release routed `percent` of traffic to its canary api slot (0: the canary taken out of
   * the traffic, by its rollback or once every instance runs the change).
   */
  'canary.routed': { slot: number; percent: number; by: string; reason: string }
  /**
   * Before the release, production's rollback was rehearsed on one api slot: back to the artifact it ran before
   * (`previous`, content hash) and forward to the one it runs (`current`), each leg health- and smoke-checked.
   */
  'rollback.proved': {
    environment: string
    slot: number
    current: string
    previous: string
    backMs: number
    forwardMs: number
  }
  /** The rehearsal failed on `leg`: production cannot be shown to go back, so the release does not start. */
  'rollback.unproven': {
    environment: string
    slot: number
    current: string
    previous: string
    leg: 'back' | 'forward'
    detail: string
  }
  /**
   * A release that is not watched after its deploy, and why: a dark deploy (`flag-canary`) changes nothing users
   * see, or the scenario turned the watch off.
   */
  'deploy.watch.skipped': { strategy: string; reason: string }
  /**
   * A deploy that put users on `artifact` completed, and production is watched for `windowMs` against its own
   * baseline (the steady state before the release: its requests, error ratio and the bucket holding its p95).
   */
  'deploy.watch.started': {
    artifact: string
    previous: string
    strategy: string
    windowMs: number
    intervalMs: number
    baseline: {
      requests: number
      errorRatio: number | null
      /** The histogram bucket holding the p95 (`upperMs` null: the +Inf bucket); null with too few requests. */
      p95Ms: { lowerMs: number; upperMs: number | null } | null
    }
    thresholds: {
      maxErrorRatio: number
      p95HeadroomPct: number
      /** The least rise in p95 that breaches, whatever the headroom (absent in journals from before it). */
      p95MinIncreaseMs?: number
      /**
       * The baseline's p95 at the top of its bucket plus the headroom, and at least `p95MinIncreaseMs` above it;
       * null when the baseline has none.
       */
      p95LimitMs: number | null
      minRequests: number
      consecutiveBreaches: number
    }
  }
  /**
   * The watch saw `consecutive` evaluations in a row breach (`breaches`: `error-ratio`, `p95`), with the window's
   * figures since the deploy completed, and rolls production back.
   */
  'deploy.watch.breached': {
    artifact: string
    breaches: string[]
    requests: number
    errors: number
    errorRatio: number | null
    /** The least error ratio the window's requests are consistent with (Wilson score, one-sided 95 %). */
    errorRatioLowerBound: number | null
    p95Ms: { lowerMs: number; upperMs: number | null } | null
    baselineP95Ms: { lowerMs: number; upperMs: number | null } | null
    p95LimitMs: number | null
    maxErrorRatio: number
    consecutive: number
    evaluations: number
    sinceCompletedMs: number
  }
  /** Every live api instance answers from `to` again after the watch's rollback: `backMs` after the breach. */
  'deploy.watch.rolled-back': {
    from: string
    to: string
    by: string
    backMs: number
    sinceCompletedMs: number
  }
  /** The observation window held: the deploy stays. */
  'deploy.watch.passed': {
    artifact: string
    requests: number
    errors: number
    errorRatio: number | null
    errorRatioLowerBound: number | null
    p95Ms: { lowerMs: number; upperMs: number | null } | null
    evaluations: number
    watchedMs: number
  }
  /** The watch ended without a verdict: someone else rolled back first, too few requests came, or it failed. */
  'deploy.watch.ended': { artifact: string; reason: string; evaluations?: number; watchedMs?: number }
  /** One step of a rolling deploy (started, instance updated, health failed, smoke passed/failed, rolled back, finished). */
  'deploy.step': {
    environment: string
    step: string
    commit: string
    contentHash: string
    slot?: number
    detail?: string
    outcome?: string
  }
  /**
   * `changes`: the commits this deployment brings to the environment for the first time, when the drill knows
   * them beyond its own merges (a `--again` run's start on the earlier run's trunk).
   */
  'change.deployed': {
    commit: string
    dark: boolean
    artifact?: string
    environment?: string
    changes?: string[]
  }
  'request.first-failure': { status: number | string; route: string; detail?: string }
  /**
   * An alert started firing (both windows of a burn-rate rule past its threshold) for the SLO `slo`. `pages`:
   * its severity is one the pager pages for (older journals carry only `severity`, where `page` paged).
   */
  'alert.fired': {
    alert: string
    severity: string
    burnRates: { long: number; short: number }
    threshold: number
    windows: { long: string; short: string }
    slo?: string
    pages?: boolean
  }
  /** A firing alert's condition cleared; keep_firing_for holds it firing until `until` unless it comes back. */
  'alert.held': { alert: string; slo?: string; until: string }
  /** The condition of a held alert came back: still the same alert, still firing. */
  'alert.rearmed': { alert: string; slo?: string }
  'alert.resolved': { alert: string; slo?: string }
  /**
   * One notification the pager received (an Alertmanager group: its alerts, firing or resolved), and what it
   * did: `paged` opened an incident, `repeat` one already open, `resolved` closed it, `not-paging` none open and
   * no alert of a paging severity firing.
   */
  'alert.received': {
    groupKey: string
    status: 'firing' | 'resolved'
    alerts: { alert: string; severity: string; status: 'firing' | 'resolved'; slo?: string }[]
    outcome: 'paged' | 'repeat' | 'resolved' | 'not-paging'
  }
  /** The one page of an incident. `groupKey`: the alert group it is for; `alerts` and `slos` in it. */
  'page.sent': {
    alert: string
    to: string
    channel: string
    dedupKey?: string
    groupKey?: string
    alerts?: string[]
    slos?: string[]
  }
  /** An incident closed: its alerts all resolved, or the drill ended with it open. */
  'page.resolved': { groupKey: string; dedupKey: string; reason: 'alerts resolved' | 'drill ended' }
  /** A page, acknowledgement or resolution sent on to PagerDuty (Events v2) or a webhook, marked as a drill. */
  'page.delivered': {
    channel: 'pagerduty-events-v2' | 'webhook'
    action: 'trigger' | 'acknowledge' | 'resolve'
    target: string
    dedupKey: string
    ok: boolean
    status?: number
    error?: string
  }
  'page.acknowledged': { alert: string; by: string }
  /** A harmless change the scenario makes while the drill runs (a decoy), through the flag service. */
  'decoy.applied': { flag: string; from: string | null; to: string; actor: string; reason: string }
  /** What a bot responder saw, concluded and chose, journalled before it acts. */
  'responder.diagnosed': {
    by: string
    evidence: {
      alerts: string[]
      slos: string[]
      alertStartedAt: string
      flagChanges: { flag: string; from: string; to: string; actor: string; at: string }[]
      /** Production deploys the responder saw (absent in older journals). */
      deploys?: {
        commit: string
        artifact: string
        previous: string | null
        dark: boolean
        at: string
        /** A rollback: the artifact it took production off, and who asked. */
        rollbackOf?: { artifact: string; by: string }
      }[]
      /** The payment provider's status page as the responder read it (absent in older journals). */
      provider?: { status: string; summary: string; since: string | null }
      /** A target's dependency as its fault proxy reports it (absent in older journals). */
      dependency?: { name: string; proxy: string; fault: string; since: string | null }
      /**
       * The fulfilment workers' dashboard from the page to the acknowledgement: their calls to the provider (and
       * 429s), retries and orders paid in `overMs`, and the queue then (absent in older journals).
       */
      workers?: {
        overMs: number
        /** Requests to the payment provider (`payments_requests_total`), and of them those answered 429. */
        providerCalls: number
        rateLimited: number
        /** Processing attempts that ended in a retry, and in a paid order. */
        retries: number
        paid: number
        /** Jobs waiting and delayed in the fulfilment queue. */
        waiting: number
        delayed: number
        /** Workers whose `/metrics` answered. */
        workers: number
      }
    }
    setAside: { flag: string; why: string }[]
    hypothesis: string
    action:
      | { kind: 'flag-off'; flag: string }
      | { kind: 'rollback'; to: string }
      | { kind: 'degrade'; flag: string }
      | { kind: 'already-rolled-back'; to: string; by: string }
      | { kind: 'escalate' }
  }
  /**
   * The mitigation took effect, as the drill observed it: `flag off` (the flag serves off to everyone),
   * `rollback` (every api instance answers from `to`, the artifact production ran before the change),
   * `degrade switch on`, or `queue paused` (the queue paused and its workers holding no job).
   */
  /**
   * A rolling release's batch failed a check (`check`: start, health, smoke) and the deploy put every slot it
   * had touched back on `rolledBackTo`: nothing of the change is released. `startedAt`: when that batch began.
   */
  'deploy.rolled-back': {
    environment: string
    commit: string
    contentHash: string
    rolledBackTo: string
    check: string
    detail: string
    slots: number[]
    startedAt: string
  }
  /**
   * Someone asked for production to go back to the artifact it ran before its latest deploy (`to`, from
   * `from`: content hashes). The mitigation is journalled when every instance answers from `to`.
   */
  'rollback.requested': { by: string; reason: string; from: string; to: string; commit: string }
  /**
   * Someone paused a queue of the shop (`fulfilment`): its workers finish the jobs in hand and take no new one,
   * and the jobs waiting stay held. `waiting`/`active`: the queue's jobs when it was paused.
   */
  'queue.paused': { queue: string; by: string; reason: string; waiting: number; active: number }
  /**
   * The queue takes work again: `held` jobs were waiting when it resumed (the orders it held), after `pausedMs`
   * paused. `by` is who asked, or `firedrill` when the drill's cleanup put it back.
   */
  'queue.resumed': { queue: string; by: string; reason: string; pausedMs: number; held: number }
  'mitigation.applied': {
    action: string
    flag?: string
    /** A rollback: the content hash production is back on, and the one it left. */
    to?: string
    from?: string
    /** A paused queue (`queue paused`): which queue, and how many jobs it held when its workers stopped. */
    queue?: string
    held?: number
    by: string
    reason: string
  }
  /**
   * The facilitator's review of the drill's plan and preflight, before anything changes: approved, or refused
   * with the reason (the drill then ends there, nothing changed).
   */
  'plan.reviewed': { by: string; approved: boolean; reason?: string }
  /**
   * A flag a responder turned on or off from the training console, through the flag service (`from` and `to`
   * are the flag's summaries before and after).
   */
  'responder.flag-set': {
    by: string
    flag: string
    turned: 'on' | 'off'
    from: string | null
    to: string
    reason: string
  }
  /** A status update posted to the incident channel. */
  'status.posted': { by: string; text: string }
  /** A hint the facilitator gave the responder during the drill. */
  'hint.given': { by: string; text: string }
  /**
   * The facilitator paused the drill's clock-driven progress (the release holds where it is; traffic, detection
   * and paging go on, as in a live system), with the reason if one was given.
   */
  'drill.paused': { by: string; reason?: string }
  /** The drill's progress resumed after `pausedMs` held. */
  'drill.resumed': { by: string; pausedMs: number }
  'recovery.confirmed': { errorRatio: number; consecutiveEvaluations: number }
  /**
   * One rule evaluation: error ratio and burn rate per window label (`1h`, `5m`, …), for the SLO `slo`; whether
   * its condition held and the alert's state (`held`: firing, kept by keep_firing_for).
   */
  'sli.evaluated': {
    rule: string
    errorRatios: Record<string, number>
    burnRates: Record<string, number>
    slo?: string
    conditionMet?: boolean
    state?: 'ok' | 'firing' | 'held' | 'no-data'
  }
  /**
   * What detection watches: each SLO (its SLI in words, objective), the burn-rate rules with their windows in
   * scenario time and in wall-clock ms, and how alerts are evaluated, held and grouped (wall-clock ms).
   */
  'detection.started': {
    slos: { name: string; sli: string; description: string; objective: number }[]
    rules: {
      name: string
      severity: string
      burnRate: number
      longWindow: string
      shortWindow: string
      longWindowMs: number
      shortWindowMs: number
    }[]
    targets: string[]
    scrapeIntervalMs: number
    evaluationIntervalMs: number
    evaluateOnScrape: boolean
    keepFiringForMs: number
    grouping: { groupBy: string[]; groupWaitMs: number; groupIntervalMs: number; repeatIntervalMs: number }
    pageSeverities: string[]
  }
  /**
   * One scrape: every SLO's cumulative event counts since the first scrape (resets folded in) at `scrapedAt`,
   * and how many targets answered. The series `firedrill detect replay` evaluates other rules against.
   */
  'sli.sampled': {
    scrapedAt: string
    slis: Record<string, { total: number; bad: number }>
    up: number
    targets: number
  }
  /**
   * After the postmortem: the fix for one action item (`actionItem`: `AI-1`) merged into trunk as `trunk`,
   * through the gate whose result it carries.
   */
  'fix.merged': {
    branch: string
    commit: string
    trunk: string
    actionItem: string
    gate: { green: boolean; steps: { name: string; status: string; durationMs: number }[] }
  }
  /**
   * A flag moved one lifecycle stage on (active → completed → archived) by a commit to its flags file on
   * `branch`; the stage holds on trunk once that branch merges.
   */
  'flag.lifecycle': { key: string; from: string; to: string; branch: string; commit: string }
  /**
   * The flag's close-out merged: completed, its code path removed and archived, on `branch`, through the gate.
   */
  'cleanup.merged': {
    branch: string
    commit: string
    trunk: string
    flag: string
    /** The postmortem's item the close-out closes (`Retire the flag …`), named in its commits' `Refs:`. */
    actionItem?: string
    gate: { green: boolean; steps: { name: string; status: string; durationMs: number }[] }
  }
  /**
   * The bad change's code put back on today's trunk and run through the gate: `green: false` with the steps
   * that blocked it proves the fix holds.
   */
  'replay.gated': { commit: string; green: boolean; blockedBy: string[] }
  /**
   * The loop (the fix through the gate, verify, the replay) was not run, and why: a drill on a target that names
   * no repository (`repo`), or no fix, or one that did not recover; or the caller turned the follow-up off
   * (`turnedOff`), which the checks skip instead of failing.
   */
  'loop.not-run': { reason: string; turnedOff?: boolean }
  /** The verifier's verdict on every action item and on the loop (replay blocked). */
  'verify.finished': {
    holds: boolean
    items: { id: string; status: string; holds: boolean; reasons: string[] }[]
    /**
     * The replay of the bad change on today's trunk. `not-applicable`: there is no change of ours to replay (a
     * dependency's fault; its replay is a run with `--again`).
     */
    loop: { holds: boolean; blockedBy: string[]; replay?: 'not-applicable' }
  }
}

export type JournalEventType = keyof JournalEventData

export const JOURNAL_EVENT_TYPES = [
  'drill.started',
  'drill.finished',
  'drill.aborted',
  'lease.acquired',
  'cleanup.finished',
  'phase.entered',
  'check.passed',
  'check.failed',
  'steady-state.checked',
  'traffic.started',
  'traffic.stopped',
  'traffic.interval',
  'flag.changed',
  'release.step',
  'dependency.fault',
  'provider.changed',
  'change.committed',
  'gate.finished',
  'change.refused',
  'change.merged',
  'artifact.built',
  'artifact.tagged',
  'deploy.refused',
  'traffic.switched',
  'canary.routed',
  'rollback.proved',
  'rollback.unproven',
  'deploy.watch.skipped',
  'deploy.watch.started',
  'deploy.watch.breached',
  'deploy.watch.rolled-back',
  'deploy.watch.passed',
  'deploy.watch.ended',
  'deploy.step',
  'change.deployed',
  'request.first-failure',
  'alert.fired',
  'alert.held',
  'alert.rearmed',
  'alert.resolved',
  'alert.received',
  'page.sent',
  'page.resolved',
  'page.delivered',
  'page.acknowledged',
  'responder.diagnosed',
  'rollback.requested',
  'queue.paused',
  'queue.resumed',
  'deploy.rolled-back',
  'decoy.applied',
  'mitigation.applied',
  'plan.reviewed',
  'responder.flag-set',
  'status.posted',
  'hint.given',
  'drill.paused',
  'drill.resumed',
  'recovery.confirmed',
  'sli.evaluated',
  'detection.started',
  'sli.sampled',
  'fix.merged',
  'replay.gated',
  'verify.finished',
  'loop.not-run',
  'flag.lifecycle',
  'cleanup.merged',
] as const satisfies readonly JournalEventType[]

/** High-volume events: buffered and flushed in batches. Every other event is fsynced before append resolves. */
export const BUFFERED_EVENT_TYPES: ReadonlySet<JournalEventType> = new Set([
  'traffic.interval',
  'sli.evaluated',
  'sli.sampled',
])

/** What a caller appends: the writer adds `seq` and `at`. */
export type NewJournalEvent = {
  [T in JournalEventType]: { type: T; data: JournalEventData[T] }
}[JournalEventType]

/** One journal line. Narrow on `type` to reach the typed `data`. */
export type JournalEvent = {
  [T in JournalEventType]: { seq: number; type: T; at: string; data: JournalEventData[T] }
}[JournalEventType]

export type JournalEventOf<T extends JournalEventType> = Extract<JournalEvent, { type: T }>

export function isJournalEventType(type: unknown): type is JournalEventType {
  return typeof type === 'string' && (JOURNAL_EVENT_TYPES as readonly string[]).includes(type)
}

/** The events of one type, narrowed. */
export function eventsOf<T extends JournalEventType>(
  events: readonly JournalEvent[],
  type: T,
): JournalEventOf<T>[] {
  return events.filter((e): e is JournalEventOf<T> => e.type === type)
}
