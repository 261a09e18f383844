import { eventsOf } from '../record/journal/journal-event.ts'
import { burnedSlos, describeBurnedSlos } from './burned-slos.ts'
import {
  dependencyImpactStatement,
  dependencyResolution,
  dependencyRootCauses,
  dependencySummary,
  dependencyTrigger,
} from './dependency-fault-narrative.ts'
import { type DrillFacts, refusedByWords, repeatedRunWords } from './drill-facts.ts'
import {
  externalImpactStatement,
  externalResolution,
  externalRootCauses,
  externalSummary,
  externalTrigger,
} from './external-cause-narrative.ts'
import { dependencyFaultOf, externalFaultOf, faultStoryOf } from './fault-story.ts'
import { formatMs, formatPct, formatRatio, formatUtcTime } from './postmortem-format.ts'
import { queuePauseOf, queuePauseResolution, queuePauseSummary } from './queue-pause-story.ts'
import { describeHiddenImpact } from './slo-impact.ts'
import {
  watchCaughtDetection,
  watchCaughtImpactStatement,
  watchCaughtResolution,
  watchCaughtRootCauses,
  watchCaughtSummary,
  watchCaughtTrigger,
} from './watch-caught-narrative.ts'

function faultWords(facts: DrillFacts): string {
  // A target's change is the team's: when no request failed, the drill saw nothing wrong with it.
  if (facts.scenario.change.fault.kind === 'dark-change' && facts.impact.failedRequests === 0)
    return `no request failed while ${facts.scenario.change.flag} served on, so the service's SLIs showed nothing wrong with the change`
  return faultStoryOf(facts.scenario).effect
}

/** The HTTP impact, and what only the other SLOs saw (orders never paid while checkout answered). */
function impactWords(facts: DrillFacts): string {
  const { impact, scenario } = facts
  const hidden = describeHiddenImpact(facts.events)
  return (
    `${impact.failedRequests} of ${impact.requests} requests failed (${formatRatio(impact.errorRatio)}), using ${formatPct(impact.errorBudgetConsumedPct)} of the ${scenario.slo.window} error budget.` +
    (hidden === '' ? '' : ` ${hidden}`)
  )
}

export function titleOf(facts: DrillFacts): string {
  return `${facts.scenario.title} (drill ${facts.runId})`
}

/**
 * The requests no instance answered while a rolled-back batch restarted its slots (network errors in the
 * traffic intervals that overlap the batch), in words; '' when there were none.
 */
function restartWords(facts: DrillFacts): string {
  const batch = facts.deployRolledBack
  if (batch === undefined) return ''
  const from = Date.parse(batch.data.startedAt)
  const to = Date.parse(batch.at)
  const lost = eventsOf(facts.events, 'traffic.interval')
    .filter((e) => Date.parse(e.data.to) >= from && Date.parse(e.data.from) <= to)
    .reduce((sum, e) => sum + (e.data.byStatus['network-error'] ?? 0), 0)
  if (lost === 0) return ''
  return ` ${lost} request${lost === 1 ? '' : 's'} met no answer (network errors) while the batch stopped api slot ${batch.data.slots.join(', ')}, started it on the new build and put it back: the cost of a rolling deploy that does not drain an instance first.`
}

/** How the incident was mitigated, by the journal: `flag off`, `rollback`, or null. */
function mitigationAction(facts: DrillFacts): string | null {
  const mitigated = facts.anchors.mitigated
  return mitigated?.type === 'mitigation.applied' ? mitigated.data.action : null
}

export function summaryOf(facts: DrillFacts): string {
  const { scenario, timings } = facts
  if (externalFaultOf(scenario) !== undefined) return externalSummary(facts, impactWords(facts))
  if (dependencyFaultOf(scenario) !== undefined) return dependencySummary(facts, impactWords(facts))
  if (facts.watchCaught !== undefined) return watchCaughtSummary(facts, impactWords(facts))
  const atDeploy = facts.deployRefused
  if (facts.status === 'prevented' && atDeploy !== undefined) {
    return [
      `In a drill of scenario ${facts.scenarioName} (seed ${scenario.seed}), the change "${scenario.change.title}" passed the gate and staging verified its artifact (content hash ${atDeploy.data.verifiedContentHash.slice(0, 12)}).`,
      `Then ${faultWords(facts)}.`,
      `Production's deploy verification refused it: content hash ${atDeploy.data.contentHash.slice(0, 12)} is not the one staging verified, so no instance was touched and production kept what it ran.`,
      `The same workload and release then ran on production as it was: ${impactWords(facts)}`,
      'A near miss, caught at deploy time.',
    ].join(' ')
  }
  const rolledBack = facts.deployRolledBack
  if (facts.status === 'prevented' && rolledBack !== undefined) {
    return [
      `In a drill of scenario ${facts.scenarioName} (seed ${scenario.seed}), the change "${scenario.change.title}" passed the gate and staging, and its rolling deploy to production began.`,
      `Then ${faultWords(facts)}.`,
      `The deploy's ${rolledBack.data.check} check failed on the first new instance (${rolledBack.data.detail}), and ${formatMs(Date.parse(rolledBack.at) - Date.parse(rolledBack.data.startedAt))} after the batch began the deploy had rolled it back: every instance kept serving the build before the change, and nothing was released.`,
      `The same workload then ran on production as it was: ${impactWords(facts)}`,
      'A near miss, caught at deploy time.',
    ].join(' ')
  }
  if (facts.status === 'prevented' && facts.againOf === undefined) {
    return [
      `In a drill of scenario ${facts.scenarioName} (seed ${scenario.seed}), the change "${scenario.change.title}" was committed on a branch to go out ${scenario.change.flag === undefined ? 'by a rolling deploy, without a flag' : `behind ${scenario.change.flag}`}.`,
      `On that commit, ${faultWords(facts)}.`,
      `The gate refused it (${refusedByWords(facts)}), so it never merged, was never built or deployed, and no user met it.`,
      `The same workload and release then ran on trunk as it is: ${impactWords(facts)}`,
      'A near miss, caught by the gate on the first try.',
    ].join(' ')
  }
  if (facts.status === 'prevented') {
    return [
      `A repeat of ${repeatedRunWords(facts)} (scenario ${facts.scenarioName}, seed ${scenario.seed}): the same change, "${scenario.change.title}", was committed again on the trunk that run's fixes left.`,
      `The gate refused it (${refusedByWords(facts)}), so it never merged, was never built or deployed, and no user met it.`,
      `The same workload and release then ran on trunk as it is: ${impactWords(facts)}`,
      "A near miss, caught where the earlier run's fixes put the check.",
    ].join(' ')
  }
  const steps = scenario.release.steps.map((s) => `${s.percent} %`).join(' → ')
  const unflagged = scenario.change.flag === undefined
  const parts = [
    unflagged && scenario.release.strategy === 'instance-canary'
      ? facts.changeReachedUsers
        ? `In a drill of scenario ${facts.scenarioName} (seed ${scenario.seed}), the change "${scenario.change.title}" shipped without a flag in an instance-canary release: it was deployed to one extra api instance, the canary, which took ${scenario.release.steps[0]?.percent ?? '?'} % of traffic beside the instances still running the build before it.`
        : `In a drill of scenario ${facts.scenarioName} (seed ${scenario.seed}), the change "${scenario.change.title}" was to ship without a flag on a canary instance, but the drill ended before the canary took traffic: no user met the change.`
      : unflagged && scenario.release.strategy === 'blue-green'
        ? facts.changeReachedUsers
          ? `In a drill of scenario ${facts.scenarioName} (seed ${scenario.seed}), the change "${scenario.change.title}" shipped without a flag in a blue-green release: it was deployed to a second set of api instances (green) beside the running ones (blue), and switching all traffic to green released it at once.`
          : `In a drill of scenario ${facts.scenarioName} (seed ${scenario.seed}), the change "${scenario.change.title}" was to ship without a flag in a blue-green release, but the drill ended before traffic switched to it: no user met the change.`
        : unflagged
          ? facts.changeReachedUsers
            ? `In a drill of scenario ${facts.scenarioName} (seed ${scenario.seed}), the change "${scenario.change.title}" shipped without a flag: deploying it released it, in a rolling deploy over the api instances (${steps} of them).`
            : `In a drill of scenario ${facts.scenarioName} (seed ${scenario.seed}), the change "${scenario.change.title}" was to ship without a flag in a rolling deploy (${steps} of the api instances), but the drill ended before the first batch: no user met the change.`
          : facts.changeReachedUsers
            ? `In a drill of scenario ${facts.scenarioName} (seed ${scenario.seed}), the change "${scenario.change.title}" was released behind the flag ${scenario.change.flag} in canary steps (${steps}).`
            : `In a drill of scenario ${facts.scenarioName} (seed ${scenario.seed}), the change "${scenario.change.title}" was to be released behind the flag ${scenario.change.flag} in canary steps (${steps}), but the drill ended before any step turned the flag on: no user met the change.`,
    unflagged
      ? `On the instances running it, ${faultWords(facts)}.`
      : `On the new path, ${faultWords(facts)}.`,
    impactWords(facts),
  ]
  if (timings.detectedAt !== null)
    parts.push(`A burn-rate alert paged ${formatMs(timings.mttdMs)} after the release.`)
  else if (facts.changeReachedUsers) parts.push('No paging alert is recorded.')
  const pause = queuePauseOf(facts)
  if (pause !== undefined) parts.push(queuePauseSummary(pause, timings.mttmMs))
  else if (timings.mitigatedAt !== null)
    parts.push(
      mitigationAction(facts) === 'rollback'
        ? `Production was rolled back to its previous artifact ${formatMs(timings.mttmMs)} after the page.`
        : `The flag was turned off ${formatMs(timings.mttmMs)} after the page.`,
    )
  if (timings.recoveredAt !== null)
    parts.push(`Recovery was confirmed ${formatMs(timings.mttrMs)} after the release.`)
  if (facts.status === 'aborted') parts.push(`The drill was aborted: ${facts.aborted?.data.reason}.`)
  if (facts.status === 'crashed')
    parts.push(
      `The drill's process died before it finished (${facts.aborted?.data.reason}); its lease lapsed and the shop put back what the drill had turned on. The figures cover what the journal recorded.`,
    )
  if (facts.status === 'incomplete')
    parts.push('The journal ends before the drill finished; the figures cover what it recorded.')
  return parts.join(' ')
}

export function impactStatementOf(facts: DrillFacts): string {
  const { impact, scenario } = facts
  if (externalFaultOf(scenario) !== undefined) return externalImpactStatement(facts)
  if (dependencyFaultOf(scenario) !== undefined) return dependencyImpactStatement(facts)
  if (facts.watchCaught !== undefined) return watchCaughtImpactStatement(facts)
  if (!facts.changeReachedUsers) {
    const where =
      facts.status === 'prevented' && facts.deployRefused !== undefined
        ? 'None from the change: production refused the artifact its tag named and kept running what it ran before.'
        : facts.status === 'prevented' && facts.deployRolledBack !== undefined
          ? `None from the change: production's rolling deploy rolled itself back when its new instance failed its health check, and every instance kept serving the build before the change.${restartWords(facts)}`
          : facts.status === 'prevented'
            ? `None from the change: the gate refused it (${refusedByWords(facts)}) and it never reached trunk or production.`
            : facts.scenario.change.flag === undefined
              ? 'None from the change: the drill ended before its rolling deploy reached an instance.'
              : 'None from the change: no release step turned its flag on before the drill ended.'
    return `${where} ${impact.failedRequests} of ${impact.requests} synthetic requests failed over ${formatMs(impact.observedMs)} of traffic, ${formatPct(impact.errorBudgetConsumedPct)} of the ${scenario.slo.window} error budget.`
  }
  const exposure = facts.highestReleasePct
  const hidden = describeHiddenImpact(facts.events)
  const onTarget = scenario.service.kind === 'target'
  return (
    (onTarget
      ? `Up to ${exposure} % of the service's traffic took the path behind ${scenario.change.flag}; ${faultWords(facts)}. `
      : scenario.change.flag === undefined
        ? `Up to ${exposure} % of the api instances ran the change, and checkout traffic is spread evenly over them; ${faultWords(facts)}. `
        : `Up to ${exposure} % of checkout traffic took the path behind ${scenario.change.flag}; ${faultWords(facts)}. `) +
    `${impact.failedRequests} of ${impact.requests} synthetic requests failed over ${formatMs(impact.observedMs)} of traffic, ` +
    `${formatPct(impact.errorBudgetConsumedPct)} of the ${scenario.slo.window} error budget at a ${formatRatio(scenario.slo.objective)} objective.` +
    (hidden === '' ? '' : ` ${hidden}`)
  )
}

export function rootCausesOf(facts: DrillFacts): string[] {
  const { change } = facts.scenario
  if (externalFaultOf(facts.scenario) !== undefined) return externalRootCauses(facts)
  if (dependencyFaultOf(facts.scenario) !== undefined) return dependencyRootCauses(facts)
  if (facts.watchCaught !== undefined) return watchCaughtRootCauses(facts)
  if (facts.status === 'prevented' && facts.deployRefused !== undefined)
    return [
      `The change "${change.title}" was sound; what production was asked to run was not: ${faultWords(facts)}. ${change.description.trim()}`,
      `${faultStoryOf(facts.scenario).gateGap} No incident followed; what is left is the near miss itself, which is what the action items address.`,
    ]
  if (facts.status === 'prevented' && facts.deployRolledBack !== undefined)
    return [
      `The change "${change.title}" carries a defect: ${change.description.trim()}`,
      `${faultStoryOf(facts.scenario).gateGap} Production's rolling deploy health-checked the first new instance and rolled it back; no incident followed, so what is left is the near miss itself, which is what the action items address.`,
    ]
  if (facts.status === 'prevented' && facts.againOf === undefined)
    return [
      `The change "${change.title}" carries a defect: ${change.description.trim()}`,
      `${faultStoryOf(facts.scenario).gateGap} No incident followed, so there is no cause of one to find; what is left is the near miss itself, which is what the action items address.`,
    ]
  if (facts.status === 'prevented')
    return [
      `The change "${change.title}" carries the same defect as in ${repeatedRunWords(facts)}: ${change.description.trim()}`,
      `The gate on today's trunk runs what that run's fixes added, and ${refusedByWords(facts)} failed on the change, so it was refused before it could merge. No incident followed, so there is no cause of one to find; the near miss shows the fixes hold.`,
    ]
  if (facts.scenario.service.kind === 'target' && facts.impact.failedRequests === 0)
    return [
      `No cause to find: ${faultWords(facts)}. ${change.description.trim()}`,
      `${faultStoryOf(facts.scenario).gateGap} It was deployed dark, so only the flag released it.`,
    ]
  if (facts.scenario.service.kind === 'target')
    return [
      `The change "${change.title}" carries a defect: ${change.description.trim()}`,
      `With ${change.flag} on, ${faultWords(facts)}; the share of failing requests followed the share of traffic the flag served on.`,
      `${faultStoryOf(facts.scenario).gateGap} It was deployed dark, so only the flag released it.`,
    ]
  return [
    `The change "${change.title}" carries a defect: ${change.description.trim()}`,
    change.flag === undefined
      ? `On the instances running it, ${faultWords(facts)}; the share of failing orders follows the share of instances updated and of orders with that property.`
      : `With ${change.flag} on, ${faultWords(facts)}; the share of failing orders follows the share of orders with that property.`,
    change.flag === undefined
      ? `The defect passed the gate. ${faultStoryOf(facts.scenario).gateGap} It shipped without a flag, so the deploy itself released it to every order its instances served, and the only way back was a rollback.`
      : `The defect passed the gate. ${faultStoryOf(facts.scenario).gateGap} It was deployed dark.`,
  ]
}

export function triggerOf(facts: DrillFacts): string {
  if (externalFaultOf(facts.scenario) !== undefined) return externalTrigger(facts)
  if (dependencyFaultOf(facts.scenario) !== undefined) return dependencyTrigger(facts)
  if (facts.watchCaught !== undefined) return watchCaughtTrigger(facts)
  const atDeploy = facts.deployRefused
  if (facts.status === 'prevented' && atDeploy !== undefined)
    return `Production's deploy looked up tag ${atDeploy.data.tag} at ${formatUtcTime(atDeploy.at)} and found ${atDeploy.data.commit.slice(0, 12)}, a rebuild staging never ran; nothing was released from it.`
  const rolledBack = facts.deployRolledBack
  if (facts.status === 'prevented' && rolledBack !== undefined)
    return `Production's rolling deploy of ${rolledBack.data.contentHash.slice(0, 12)} began at ${formatUtcTime(rolledBack.data.startedAt)} on api slot(s) ${rolledBack.data.slots.join(', ')}; its ${rolledBack.data.check} check failed and the deploy was back on ${rolledBack.data.rolledBackTo.slice(0, 12)} at ${formatUtcTime(rolledBack.at)}; nothing was released from it.`
  if (facts.status === 'prevented') {
    const r = facts.refused
    const again = facts.againOf === undefined ? '' : ' again'
    return r === undefined
      ? `The change was committed${again} and gated; the gate refused it.`
      : `The change was committed${again} on ${r.data.branch} (${r.data.commit.slice(0, 12)}) and gated at ${formatUtcTime(r.at)}; nothing was released from it.`
  }
  const released = facts.anchors.released
  if (released === null || released.type !== 'release.step') {
    return `No release step was recorded; ${facts.scenario.change.flag ?? 'the change'} never reached users in this run.`
  }
  const firstError = facts.anchors.firstError
  return (
    (released.data.flag === undefined && facts.scenario.release.strategy === 'instance-canary'
      ? `The canary instance (api slot ${released.data.slots?.join(', ') ?? '?'}), on artifact ${released.data.artifact?.slice(0, 12) ?? 'unknown'}, began taking ${released.data.percent} % of traffic at ${formatUtcTime(released.at)}`
      : released.data.flag === undefined && facts.scenario.release.strategy === 'blue-green'
        ? `The blue-green switch moved all traffic to the green api instances, on artifact ${released.data.artifact?.slice(0, 12) ?? 'unknown'}, at ${formatUtcTime(released.at)}`
        : released.data.flag === undefined
          ? `Rolling deploy batch ${released.data.step} put ${released.data.percent} % of the api instances on artifact ${released.data.artifact?.slice(0, 12) ?? 'unknown'} at ${formatUtcTime(released.at)}`
          : `Release step ${released.data.step} turned ${released.data.flag} on for ${released.data.percent} % of traffic at ${formatUtcTime(released.at)}`) +
    (firstError === null ? '.' : `; the first request failed at ${formatUtcTime(firstError.at)}.`)
  )
}

export function detectionOf(facts: DrillFacts): string {
  const detected = facts.anchors.detected
  const slos = describeBurnedSlos(burnedSlos(facts.events, facts.scenario))
  if (facts.watchCaught !== undefined) return watchCaughtDetection(facts, slos)
  if (facts.status === 'prevented' && facts.deployRefused !== undefined)
    return `Caught at deploy time, before any release: production's deploy verification refused content hash ${facts.deployRefused.data.contentHash.slice(0, 12)} (staging verified ${facts.deployRefused.data.verifiedContentHash.slice(0, 12)}), so no alert was needed and none paged. ${slos}`
  if (facts.status === 'prevented' && facts.deployRolledBack !== undefined)
    return `Caught at deploy time, before any release: the rolling deploy's ${facts.deployRolledBack.data.check} check failed on the new instance (${facts.deployRolledBack.data.detail}), so no alert was needed and none paged. ${slos}`
  if (facts.status === 'prevented' && externalFaultOf(facts.scenario) !== undefined)
    return `Nothing paged: the provider's fault came back, and the workers deferred charges by themselves, so no burn-rate rule fired. ${slos}`
  if (facts.status === 'prevented')
    return `Caught at the gate, before any release: ${refusedByWords(facts)} failed on the change's commit, so no alert was needed and none paged. ${slos}`
  if (!facts.changeReachedUsers && detected === null)
    return `Nothing to detect: the change never reached users in this run. ${slos}`
  if (detected === null || detected.type !== 'alert.fired') {
    return `No paging burn-rate alert is recorded in the journal: the failures stayed below every rule threshold, detection was not running, or the run ended first. ${slos}`
  }
  const ack = facts.anchors.acknowledged
  const page = facts.events.find((e) => e.type === 'page.sent' && e.data.alert === detected.data.alert)
  const pageText =
    page?.type === 'page.sent' ? ` The page went to ${page.data.to} via ${page.data.channel}.` : ''
  return (
    `The ${detected.data.alert} alert${detected.data.slo === undefined ? '' : ` on SLO ${detected.data.slo}`} fired at ${formatUtcTime(detected.at)}, ${formatMs(facts.timings.mttdMs)} after the release, ` +
    `with the release at ${facts.exposurePctAtDetection} %: burn rate ${detected.data.burnRates.long.toFixed(1)}× over ${detected.data.windows.long} ` +
    `and ${detected.data.burnRates.short.toFixed(1)}× over ${detected.data.windows.short} against a threshold of ${detected.data.threshold}×.` +
    pageText +
    (ack === null
      ? ' No acknowledgement was recorded.'
      : ` It was acknowledged ${formatMs(facts.timings.mttaMs)} later.`) +
    ` ${slos}`
  )
}

export function resolutionOf(facts: DrillFacts): string {
  if (externalFaultOf(facts.scenario) !== undefined) return externalResolution(facts)
  if (dependencyFaultOf(facts.scenario) !== undefined) return dependencyResolution(facts)
  if (facts.watchCaught !== undefined) return watchCaughtResolution(facts)
  const mitigated = facts.anchors.mitigated
  const recovered = facts.anchors.recovered
  if (facts.status === 'prevented' && facts.deployRefused !== undefined)
    return 'Nothing to mitigate in production: it refused the rebuild and kept running what it ran, and the steady state held after the same release. The rebuild and the tag still need cleaning up (see the action items).'
  if (facts.status === 'prevented' && facts.deployRolledBack !== undefined)
    return `Nothing to mitigate in production: the deploy rolled its batch back by itself, ${formatMs(Date.parse(facts.deployRolledBack.at) - Date.parse(facts.deployRolledBack.data.startedAt))} after it began, and the steady state held after the same release.`
  if (facts.status === 'prevented')
    return `Nothing to mitigate: the branch was not merged, and the steady state held on trunk as it is after the same release.`
  const parts: string[] = []
  if (!facts.changeReachedUsers && mitigated === null) {
    parts.push('Nothing to mitigate: the change never reached users.')
    if (facts.aborted !== undefined)
      parts.push(`The drill ended before the release: ${facts.aborted.data.reason}.`)
    return parts.join(' ')
  }
  const pause = queuePauseOf(facts)
  if (pause !== undefined) parts.push(queuePauseResolution(pause))
  else if (
    mitigated !== null &&
    mitigated.type === 'mitigation.applied' &&
    mitigated.data.flag === undefined
  ) {
    const request = eventsOf(facts.events, 'rollback.requested').at(-1)
    const took = request === undefined ? null : Date.parse(mitigated.at) - Date.parse(request.at)
    const switchedBack = eventsOf(facts.events, 'traffic.switched').find((e) => e.data.to === 'blue')
    const canaryOut = eventsOf(facts.events, 'canary.routed').find(
      (e) => e.data.percent === 0 && request !== undefined && Date.parse(e.at) >= Date.parse(request.at),
    )
    if (canaryOut !== undefined) {
      parts.push(
        `${mitigated.data.by} took the canary (api slot ${canaryOut.data.slot}) out of the traffic; every instance still taking traffic ran the artifact from before the change (${mitigated.data.to?.slice(0, 12) ?? 'unknown'}) at ${formatUtcTime(mitigated.at)} (${mitigated.data.reason}).`,
        took === null
          ? 'No rollback request is recorded, so its own duration is unknown.'
          : `Going back took ${formatMs(took)} from the request, with nothing restarted or redeployed: only the canary had the change, which is what an instance canary buys for the price of one extra instance.`,
      )
    } else if (switchedBack !== undefined) {
      parts.push(
        `${mitigated.data.by} switched all traffic back to the blue api instances (slot(s) ${switchedBack.data.slots.join(', ')}), which still ran the artifact from before the change (${mitigated.data.to?.slice(0, 12) ?? 'unknown'}); every instance taking traffic answered from it at ${formatUtcTime(mitigated.at)} (${mitigated.data.reason}).`,
        took === null
          ? 'No rollback request is recorded, so its own duration is unknown.'
          : `Going back took ${formatMs(took)} from the request, with nothing restarted or redeployed: the price of a blue-green release is a second set of api instances kept running beside the first through the release. With no flag there was nothing smaller to turn off: the whole change went back, including whatever in it worked.`,
      )
    } else
      parts.push(
        `${mitigated.data.by} rolled production back to the artifact it ran before the change (${mitigated.data.to?.slice(0, 12) ?? 'unknown'}); every api instance answered from it at ${formatUtcTime(mitigated.at)} (${mitigated.data.reason}).`,
        took === null
          ? 'No rollback request is recorded, so its own duration is unknown.'
          : `The rollback itself took ${formatMs(took)} from the request to the last instance back, a health-checked redeploy of every instance; a flag turned off takes effect at the next flag resync, with nothing restarted. With no flag there was nothing smaller to turn off: the whole change went back, including whatever in it worked.`,
      )
  } else if (mitigated !== null && mitigated.type === 'mitigation.applied') {
    parts.push(
      `${mitigated.data.by} applied ${mitigated.data.action} on ${mitigated.data.flag} at ${formatUtcTime(mitigated.at)} (${mitigated.data.reason}); no rollback or deploy was needed.`,
    )
  } else {
    parts.push(
      facts.scenario.change.flag === undefined
        ? 'No mitigation was recorded: production was not rolled back by a responder.'
        : `No mitigation was recorded: ${facts.scenario.change.flag} was not turned off by a responder.`,
    )
  }
  if (recovered !== null && recovered.type === 'recovery.confirmed') {
    parts.push(
      `Recovery was confirmed at ${formatUtcTime(recovered.at)} after ${recovered.data.consecutiveEvaluations} consecutive healthy evaluations.`,
    )
  } else {
    parts.push('Recovery was not confirmed in the journal.')
  }
  if (facts.aborted !== undefined)
    parts.push(`The drill's stop condition ended it: ${facts.aborted.data.reason}.`)
  return parts.join(' ')
}
