import type { JournalEvent } from '../record/journal/journal-event.ts'
import { describeProxyFault } from '../record/target/describe-proxy-fault.ts'
import { formatMs, formatRatio } from './postmortem-format.ts'

function nextAction(
  action: Extract<JournalEvent, { type: 'responder.diagnosed' }>['data']['action'],
): string {
  if (action.kind === 'flag-off') return `turn ${action.flag} off`
  if (action.kind === 'rollback') return `roll production back to artifact ${action.to.slice(0, 16)}`
  if (action.kind === 'degrade') return `turn the degrade switch ${action.flag} on`
  if (action.kind === 'already-rolled-back')
    return `nothing to undo: ${action.by} already rolled production back to artifact ${action.to.slice(0, 16)}`
  return 'escalate'
}

/** One timeline line for a journal event, in plain words about systems and decisions. */
export function describeEvent(event: JournalEvent): string {
  switch (event.type) {
    case 'drill.started':
      return `Drill ${event.data.runId} started: scenario ${event.data.scenario}, seed ${event.data.seed}, ${event.data.responder} responder.`
    case 'drill.finished':
      return `Drill finished (${event.data.outcome}).`
    case 'drill.aborted':
      return `Drill aborted: ${event.data.reason}.`
    case 'lease.acquired':
      return event.data.prefix.startsWith("dead man's switch")
        ? `Lease taken on the target's flag (${event.data.ttlMs / 1000} s, renewed every ${event.data.heartbeatMs / 1000} s) by a ${event.data.prefix}: if the drill dies, it turns the flag off.`
        : `Lease taken on the shop's changes (${event.data.ttlMs / 1000} s, renewed every ${event.data.heartbeatMs / 1000} s): if the drill dies, the shop puts back what it turned on.`
    case 'cleanup.finished':
      return event.data.failed.length === 0
        ? `Cleanup put everything back: ${event.data.done.join(', ')}.`
        : `Cleanup put back ${event.data.done.join(', ') || 'nothing'}; it could not ${event.data.failed.map((f) => `${f.step} (${f.error})`).join('; ')}.`
    case 'phase.entered':
      return `Phase: ${event.data.phase}.`
    case 'check.passed':
      return `Check passed: ${event.data.name}.`
    case 'check.failed':
      return `Check failed: ${event.data.name}: ${event.data.message}.`
    case 'steady-state.checked':
      return `Steady state ${event.data.when} the release ${event.data.ok ? 'held' : 'did not hold'}: error ratio ${formatRatio(event.data.errorRatio)} over ${event.data.requests} requests (limit ${formatRatio(event.data.maxErrorRatio)}).`
    case 'traffic.started':
      return `Synthetic traffic started at ${event.data.ratePerSecond} requests/s.`
    case 'traffic.stopped':
      return `Synthetic traffic stopped after ${event.data.requests} requests (${event.data.failures} failed).`
    case 'traffic.interval':
      return `Traffic interval ${event.data.index}: ${event.data.requests} requests, ${event.data.failures} failed.`
    case 'flag.changed':
      return `Flag ${event.data.key} set from ${JSON.stringify(event.data.from)} to ${JSON.stringify(event.data.to)} at ${event.data.percent} % by ${event.data.actor} (${event.data.reason}).`
    case 'dependency.fault':
      return `The fault proxy in front of ${event.data.dependency} now ${describeProxyFault(event.data.fault)} (set by ${event.data.actor}: ${event.data.reason}).`
    case 'release.step':
      if (event.data.dependency !== undefined)
        return `Release step ${event.data.step}: ${event.data.percent} % of the calls to ${event.data.dependency} faulted by firedrill's proxy (no change of ours).`
      if (event.data.provider !== undefined)
        return `Release step ${event.data.step}: the payment provider ${event.data.provider} (no change of ours).`
      if (event.data.flag === undefined && event.data.artifact === undefined)
        return `Release step ${event.data.step}: nothing released yet (held ${event.data.holdSeconds} s).`
      return event.data.flag === undefined
        ? `Release batch ${event.data.step}: ${event.data.percent} % of api instances${event.data.slots === undefined ? '' : ` (${event.data.slots.join(', ')})`} on artifact ${event.data.artifact?.slice(0, 16) ?? 'unknown'}, no flag.`
        : `Release step ${event.data.step}: ${event.data.flag} on for ${event.data.percent} % of traffic.`
    case 'provider.changed':
      return `The payment provider ${event.data.provider} (${event.data.why}).`
    case 'change.committed':
      return `Change "${event.data.title}" committed as ${event.data.commit.slice(0, 12)} on ${event.data.branch}.`
    case 'gate.finished':
      return `Gate ${event.data.green ? 'green' : 'RED'} on ${event.data.commit.slice(0, 12)} in ${(event.data.durationMs / 1000).toFixed(1)} s: ${event.data.steps.map((s) => `${s.name} ${s.status}`).join(', ')}.`
    case 'change.refused':
      return `The gate refused ${event.data.commit.slice(0, 12)} on ${event.data.branch} (stopped by ${event.data.blockedBy.join(', ')}); it did not reach trunk.`
    case 'change.merged':
      return `Branch ${event.data.branch} (${event.data.commit.slice(0, 12)}) merged to trunk as ${event.data.trunk.slice(0, 12)}.`
    case 'artifact.built':
      return `Artifact built from ${event.data.commit.slice(0, 12)}: ${event.data.files} files, content hash ${event.data.contentHash.slice(0, 16)}.`
    case 'artifact.tagged':
      return `Tag ${event.data.tag} now names ${event.data.commit.slice(0, 12)} (content hash ${event.data.contentHash.slice(0, 16)})${event.data.previous === undefined ? '' : `, moved from ${event.data.previous.commit.slice(0, 12)} (${event.data.previous.contentHash.slice(0, 16)})`}.`
    case 'traffic.switched':
      return `${event.data.by} switched all traffic to the ${event.data.to} api instances (slot(s) ${event.data.slots.join(', ')}): ${event.data.reason}.`
    case 'canary.routed':
      return event.data.percent === 0
        ? `${event.data.by} took the canary (api slot ${event.data.slot}) out of the traffic: ${event.data.reason}.`
        : `${event.data.by} routed ${event.data.percent} % of traffic to the canary (api slot ${event.data.slot}): ${event.data.reason}.`
    case 'rollback.proved':
      return `Rollback rehearsed on ${event.data.environment} api slot ${event.data.slot} before the release: back to ${event.data.previous.slice(0, 16)} in ${formatMs(event.data.backMs)}, forward to ${event.data.current.slice(0, 16)} in ${formatMs(event.data.forwardMs)}, both health- and smoke-checked.`
    case 'rollback.unproven':
      return `Rollback rehearsal on ${event.data.environment} api slot ${event.data.slot} failed going ${event.data.leg} (${event.data.detail}); the release did not start.`
    case 'deploy.watch.skipped':
      return `Production not watched after the deploy (${event.data.strategy}): ${event.data.reason}.`
    case 'deploy.watch.started':
      return `The post-deploy watch started on ${event.data.artifact.slice(0, 16)} for ${formatMs(event.data.windowMs)}: baseline ${event.data.baseline.requests} requests, p95 ${describeBucket(event.data.baseline.p95Ms)}; a breach is an error ratio of at least ${formatRatio(event.data.thresholds.maxErrorRatio)}${event.data.thresholds.p95LimitMs === null ? '' : ` or a p95 above ${formatMs(event.data.thresholds.p95LimitMs)}`} on ${event.data.thresholds.consecutiveBreaches} evaluations in a row.`
    case 'deploy.watch.breached':
      return `The post-deploy watch saw ${event.data.breaches.join(' and ')} breach ${event.data.consecutive} times in a row, ${formatMs(event.data.sinceCompletedMs)} after the deploy completed: ${event.data.errors} errors in ${event.data.requests} requests (${event.data.errorRatio === null ? 'n/a' : formatRatio(event.data.errorRatio)}), p95 ${describeBucket(event.data.p95Ms)}${event.data.p95LimitMs === null ? '' : ` against a limit of ${formatMs(event.data.p95LimitMs)}`}; it rolls production back.`
    case 'deploy.watch.rolled-back':
      return `Every live api instance answers from ${event.data.to.slice(0, 16)} again, ${formatMs(event.data.backMs)} after the watch's breach (${event.data.by}).`
    case 'deploy.watch.passed':
      return `The post-deploy watch passed after ${formatMs(event.data.watchedMs)}: ${event.data.errors} errors in ${event.data.requests} requests, p95 ${describeBucket(event.data.p95Ms)}.`
    case 'deploy.watch.ended':
      return `The post-deploy watch ended without a verdict: ${event.data.reason}.`
    case 'deploy.refused':
      return `Deploy to ${event.data.environment} refused: tag ${event.data.tag} named ${event.data.commit.slice(0, 12)} with content hash ${event.data.contentHash.slice(0, 16)}, not the verified ${event.data.verifiedContentHash.slice(0, 16)}; no instance was touched.`
    case 'decoy.applied':
      return `${event.data.actor} turned ${event.data.flag} from ${event.data.from ?? 'nothing'} to ${event.data.to} (${event.data.reason}).`
    case 'responder.diagnosed':
      return `${event.data.by} diagnosed: ${event.data.hypothesis}${event.data.setAside.length === 0 ? '' : ` (set aside: ${event.data.setAside.map((s) => s.flag).join(', ')})`}; next: ${nextAction(event.data.action)}.`
    case 'deploy.step':
      return `Deploy to ${event.data.environment}: ${event.data.step}${event.data.slot === undefined ? '' : ` (instance ${event.data.slot})`}${event.data.outcome ? `, ${event.data.outcome}` : ''}${event.data.detail ? `: ${event.data.detail}` : ''}.`
    case 'change.deployed':
      return `Change ${event.data.commit.slice(0, 12)} deployed${event.data.environment ? ` to ${event.data.environment}` : ''}${event.data.dark ? ' dark (flag off)' : ''}${event.data.artifact ? `, artifact ${event.data.artifact.slice(0, 16)}` : ''}.`
    case 'request.first-failure':
      return `First failed request: ${event.data.route} answered ${event.data.status}${event.data.detail ? ` (${event.data.detail})` : ''}.`
    case 'alert.fired':
      return `Alert ${event.data.alert} (${event.data.severity}${event.data.slo ? `, SLO ${event.data.slo}` : ''}) fired: burn rate ${event.data.burnRates.long.toFixed(1)}× over ${event.data.windows.long} and ${event.data.burnRates.short.toFixed(1)}× over ${event.data.windows.short}, threshold ${event.data.threshold}×.`
    case 'alert.held':
      return `Alert ${event.data.alert}${event.data.slo ? ` (SLO ${event.data.slo})` : ''}: condition cleared; kept firing until ${event.data.until} unless it returns.`
    case 'alert.rearmed':
      return `Alert ${event.data.alert}${event.data.slo ? ` (SLO ${event.data.slo})` : ''}: condition back while held; still the same alert.`
    case 'alert.resolved':
      return `Alert ${event.data.alert}${event.data.slo ? ` (SLO ${event.data.slo})` : ''} resolved.`
    case 'alert.received':
      return `Pager received a ${event.data.status} notification for ${event.data.groupKey} (${event.data.alerts.map((a) => `${a.alert} ${a.status}`).join(', ')}): ${event.data.outcome}.`
    case 'page.sent':
      return `Page for ${event.data.alert} sent to ${event.data.to} via ${event.data.channel}${event.data.slos?.length ? ` (SLO ${event.data.slos.join(', ')})` : ''}.`
    case 'page.resolved':
      return `Incident ${event.data.groupKey} resolved: ${event.data.reason}.`
    case 'page.delivered':
      return `${event.data.action} sent to ${event.data.channel} ${event.data.target}: ${event.data.ok ? `accepted (${event.data.status})` : `failed (${event.data.error ?? event.data.status})`}.`
    case 'page.acknowledged':
      return `Page for ${event.data.alert} acknowledged by ${event.data.by}.`
    case 'queue.paused':
      return `${event.data.by} paused the ${event.data.queue} queue (${event.data.reason}): its workers take no new job, with ${event.data.waiting} waiting and ${event.data.active} in hand.`
    case 'queue.resumed':
      return `${event.data.by} resumed the ${event.data.queue} queue (${event.data.reason}) after ${(event.data.pausedMs / 1000).toFixed(1)} s paused, with ${event.data.held} held jobs to work off.`
    case 'mitigation.applied':
      if (event.data.action === 'queue paused')
        return `Mitigation: the ${event.data.queue ?? 'fulfilment'} queue paused by ${event.data.by}, its workers holding no job, with ${event.data.held ?? 0} orders waiting (${event.data.reason}).`
      if (event.data.action === 'degrade switch on')
        return `Mitigation: the degrade switch ${event.data.flag} turned on by ${event.data.by} (${event.data.reason}).`
      return event.data.flag === undefined
        ? `Mitigation: ${event.data.action}${event.data.to === undefined ? '' : ` to artifact ${event.data.to.slice(0, 16)}`} by ${event.data.by} (${event.data.reason}).`
        : `Mitigation: ${event.data.action} on ${event.data.flag} by ${event.data.by} (${event.data.reason}).`
    case 'deploy.rolled-back':
      return `Production's rolling deploy of ${event.data.contentHash.slice(0, 16)} rolled itself back: the ${event.data.check} check failed on api slot(s) ${event.data.slots.join(', ')} (${event.data.detail}); every slot runs ${event.data.rolledBackTo.slice(0, 16)} again.`
    case 'rollback.requested':
      return `${event.data.by} asked for production to roll back from artifact ${event.data.from.slice(0, 16)} to ${event.data.to.slice(0, 16)} (${event.data.commit.slice(0, 12)}): ${event.data.reason}.`
    case 'plan.reviewed':
      return event.data.approved
        ? `Plan and preflight approved by ${event.data.by}.`
        : `Plan refused by ${event.data.by}${event.data.reason ? `: ${event.data.reason}` : ''}; nothing was changed.`
    case 'responder.flag-set':
      return `${event.data.by} turned ${event.data.flag} ${event.data.turned} (${event.data.reason}); it now serves ${event.data.to}.`
    case 'status.posted':
      return `Status update from ${event.data.by}: ${event.data.text}`
    case 'hint.given':
      return `Hint from ${event.data.by}: ${event.data.text}`
    case 'drill.paused':
      return `Drill paused by ${event.data.by}${event.data.reason ? `: ${event.data.reason}` : ''}; traffic and detection go on.`
    case 'drill.resumed':
      return `Drill resumed by ${event.data.by} after ${(event.data.pausedMs / 1000).toFixed(1)} s paused.`
    case 'recovery.confirmed':
      return `Recovery confirmed: error ratio ${formatRatio(event.data.errorRatio)} for ${event.data.consecutiveEvaluations} consecutive evaluations.`
    case 'sli.evaluated':
      return `SLI evaluated for ${event.data.rule}.`
    case 'sli.sampled':
      return `SLIs scraped from ${event.data.up} of ${event.data.targets} targets.`
    case 'detection.started':
      return `Detection started: SLOs ${event.data.slos.map((s) => `${s.name} (${s.description}, ${s.objective * 100} %)`).join('; ')}; rules ${event.data.rules.map((r) => `${r.name} ${r.burnRate}× over ${r.longWindow}/${r.shortWindow}`).join(', ')}.`
    case 'fix.merged':
      return `Fix for ${event.data.actionItem} (${event.data.commit.slice(0, 12)} on ${event.data.branch}) merged to trunk as ${event.data.trunk.slice(0, 12)} after a ${event.data.gate.green ? 'green' : 'RED'} gate.`
    case 'replay.gated':
      return event.data.green
        ? `Replay of the bad change ${event.data.commit.slice(0, 12)} on today's trunk passed the gate: the fix does not block it.`
        : `Replay of the bad change ${event.data.commit.slice(0, 12)} on today's trunk blocked by the gate (${event.data.blockedBy.join(', ') || 'no step named'}).`
    case 'flag.lifecycle':
      return `Flag ${event.data.key} moved from ${event.data.from} to ${event.data.to} by ${event.data.commit.slice(0, 12)} on ${event.data.branch}.`
    case 'cleanup.merged':
      return `Close-out of ${event.data.flag} (${event.data.commit.slice(0, 12)} on ${event.data.branch}) merged to trunk as ${event.data.trunk.slice(0, 12)} after a ${event.data.gate.green ? 'green' : 'RED'} gate.`
    case 'loop.not-run':
      return `The loop (the fix through the gate, verify, the replay of the change) was not run: ${event.data.reason}.`
    case 'verify.finished':
      return `Verification ${event.data.holds ? 'holds' : 'falls short'}: ${event.data.items.filter((i) => i.holds).length} of ${event.data.items.length} action items hold; ${event.data.loop.replay === 'not-applicable' ? 'no change of ours to replay' : `replay ${event.data.loop.holds ? 'blocked' : 'not blocked'}`}.`
  }
}

/** A histogram bucket holding a percentile, in words: `25 ms–50 ms`. */
function describeBucket(bucket: { lowerMs: number; upperMs: number | null } | null): string {
  if (bucket === null) return 'n/a'
  return bucket.upperMs === null
    ? `over ${formatMs(bucket.lowerMs)}`
    : `${formatMs(bucket.lowerMs)}–${formatMs(bucket.upperMs)}`
}
